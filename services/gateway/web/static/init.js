import { initAll } from './govuk-frontend.min.js'

initAll()

// GOV.UK's conditional reveal marks its radios aria-expanded, which ARIA does not allow on a radio (axe refuses it):
// the questions it reveals follow the radio in reading order, so the attribute is dropped whenever it is set
for (const radio of document.querySelectorAll('.govuk-radios__input[aria-controls]')) {
  radio.removeAttribute('aria-expanded')
  new MutationObserver(() => radio.hasAttribute('aria-expanded') && radio.removeAttribute('aria-expanded'))
    .observe(radio, { attributes: true, attributeFilter: ['aria-expanded'] })
}
