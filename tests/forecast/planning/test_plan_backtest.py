from forecast.planning.backtest import BacktestParams, brier_summary, queue_backtest, split
from forecast.planning.survival import survival_frame


def test_split__holds_out_the_share_in_every_region(queue, as_of):
    frame = survival_frame(queue, as_of)
    train, test = split(frame, BacktestParams(test_share=0.3))
    assert train.height + test.height == frame.height
    assert set(test["region"].unique()) == {"fast", "slow"}
    assert 0.25 < test.height / frame.height < 0.35


def test_queue_backtest__model_ranks_held_out_waits_and_beats_region_km(queue, as_of):
    scores = queue_backtest(survival_frame(queue, as_of), as_of)
    assert scores["concordance_all"][0] >= 0.65
    summary = brier_summary(scores)
    assert (summary["brier_model"] <= summary["brier_km"] + 0.01).all()
