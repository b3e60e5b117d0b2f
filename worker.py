"""The task worker's entry point: `huey_consumer worker.huey` runs the queue and jobs of the app built here."""

from assess import create_app
from assess.tasks import queue_of

app = create_app()
huey = queue_of(app)
