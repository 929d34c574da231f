# The sitrep worker image: `docker build -t sitrep .`, then `docker run sitrep worker`
# (docker-compose.yml builds and runs it with the broker, Prometheus and Grafana).
FROM python:3.11-slim

# No .pyc files in the image layers, log lines out at once, no pip cache or update nags.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, read from pyproject.toml, in a layer of their own: editing the code
# then rebuilds in seconds instead of reinstalling numpy, scipy and faust.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The package itself (README.md because pyproject.toml names it as the long description).
COPY README.md ./
COPY processors ./processors
COPY streams ./streams
RUN pip install --no-deps . && rm -rf build ./*.egg-info

# Run as an unprivileged user that owns only the worker's data directory; numeric ids so
# Kubernetes' runAsNonRoot can verify them without reading /etc/passwd.
RUN groupadd --system --gid 10001 sitrep \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/sitrep --create-home sitrep
USER 10001:10001

# The data directory inside the image (the default under the source tree is not writable),
# and the port of the worker's web server (/metrics, /health). SITREP_WEB_HOST stays at its
# loopback default here; docker-compose.yml opens it to the container network.
ENV SITREP_DATA_DIR=/var/lib/sitrep \
    SITREP_WEB_PORT=6066
EXPOSE 6066

ENTRYPOINT ["sitrep"]
CMD ["worker"]
