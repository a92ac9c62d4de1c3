# One image for every role of every service: `llais serve SERVICE --role api|worker`.

# The web forms' styles and scripts, built from GOV.UK Frontend (npm) under the provider's own look.
FROM node:20-slim AS assets
WORKDIR /build
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY services/gateway/web/assets ./assets
RUN node_modules/.bin/sass --no-source-map --style=compressed --quiet-deps --load-path=node_modules \
        assets/llais.scss llais.css \
    && cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js .

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY shared ./shared
COPY services ./services
COPY --from=assets /build/llais.css /build/govuk-frontend.min.js ./services/gateway/web/static/
RUN pip install babel && pybabel compile -d services/gateway/web/translations \
    && pip install . && useradd --create-home --uid 10001 llais && mkdir -p /data && chown llais /data

USER llais
ENV LLAIS_DATA=/data LLAIS_HOST=0.0.0.0 PORT=8080
EXPOSE 8080
ENTRYPOINT ["llais"]
