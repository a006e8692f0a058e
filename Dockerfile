# The platform as one image: daphne (`manage.py serve`) serving HTTP and websockets, static files by whitenoise.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app
COPY pyproject.toml ./
# Dependencies first, so code changes do not reinstall them.
RUN python - <<'PY' > /tmp/requirements.txt
import tomllib
print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))
PY
RUN pip install -r /tmp/requirements.txt

COPY . .
RUN DEBUG=true STATIC_MANIFEST=true python manage.py collectstatic --no-input \
    && useradd --create-home --uid 1000 platform \
    && mkdir -p /app/var && chown -R platform /app/var
USER platform

EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
# `manage.py serve` is daphne with a drain: on SIGTERM it stops accepting, closes websockets with
# 1001, gives requests in flight SHUTDOWN_GRACE_SECONDS (20) and exits with its children. `exec`
# makes it PID 1, so the signal reaches it. Give the container longer than the grace to stop
# (`docker run --stop-timeout 30`, compose's stop_grace_period): Docker's default is 10 s.
STOPSIGNAL SIGTERM
CMD ["sh", "-c", "python manage.py migrate --no-input && exec python manage.py serve -b 0.0.0.0 -p 8000 --proxy-headers --access-log -"]
