namespace SemiGan.Experiments;

/// <summary>
/// Test-only: called with the experiment's name each time the runner evaluates the test set (its one place that
/// does, <c>ExperimentRunner.EvaluateTest</c>), so a test can prove a tuning run never does. Nothing in the program sets it.
/// </summary>
public static class TestSetProbe
{
    public static Action<string>? Evaluated { get; set; }
}
