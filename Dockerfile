# One image for every role of every service: `llais serve SERVICE --role api|worker`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY shared ./shared
COPY services ./services
RUN pip install . && useradd --create-home --uid 10001 llais && mkdir -p /data && chown llais /data

USER llais
ENV LLAIS_DATA=/data LLAIS_HOST=0.0.0.0 PORT=8080
EXPOSE 8080
ENTRYPOINT ["llais"]
