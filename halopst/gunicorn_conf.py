"""What gunicorn needs beyond its command line (`--config python:halopst.gunicorn_conf`): with
several workers, each keeps its Prometheus metrics in files under PROMETHEUS_MULTIPROC_DIR, summed
at every scrape (core.metrics); the folder starts empty, and a worker that exits is marked dead
so its gauges stop counting."""

import os
import shutil


def on_starting(server):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
