FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir -e .
COPY . .
RUN python manage.py compilemessages --ignore=.venv -v0 \
 && DATABASE_URL=sqlite:////tmp/build.sqlite3 SECRET_KEY=build-only python manage.py collectstatic --noinput -v0
RUN useradd --create-home meetsies && chown -R meetsies /app
USER meetsies
EXPOSE 8000
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
