import { initAll } from './govuk-frontend.min.js'

initAll()
