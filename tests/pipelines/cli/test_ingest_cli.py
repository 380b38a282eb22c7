"""`headroom ingest --format queue` stores queue requests and reports rejected rows."""

from pathlib import Path

from typer.testing import CliRunner

from pipelines.cli import app

runner = CliRunner()
SAMPLE = (
    Path(__file__).resolve().parents[3] / "data" / "samples" / "queues" / "pjm_planning_queue_dominion.csv"
)


def test_ingest_queue__stores_requests_and_is_idempotent(settings, store):
    first = runner.invoke(app, ["ingest", "--format", "queue", str(SAMPLE)])
    assert first.exit_code == 0, first.output
    stored = store.read("queue_requests")
    assert stored.height > 1000 and set(stored["region"].unique()) == {"us-nova"}
    runner.invoke(app, ["ingest", "--format", "queue", str(SAMPLE)])
    assert store.read("queue_requests").height == stored.height


def test_ingest_queue__strict_exits_2_when_rows_were_rejected(settings):
    result = runner.invoke(app, ["ingest", "--format", "queue", "--strict", str(SAMPLE)])
    assert result.exit_code == 2
    assert "transmission_service_request" in result.output
