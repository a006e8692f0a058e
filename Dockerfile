# The platform as one image: daphne serving HTTP and websockets, static files by whitenoise.
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
CMD ["sh", "-c", "python manage.py migrate --no-input && exec daphne -b 0.0.0.0 -p 8000 --proxy-headers --access-log - config.asgi:application"]
