using System.Globalization;

namespace SemiGan.Experiments;

/// <summary>
/// Test-only: with <c>SEMIGAN_TEST_HOLD_AFTER_STEP=epoch:step</c> in the environment (read once per process), the
/// first run to finish that step of that epoch creates <c>&lt;out&gt;/test-hold.marker</c> and then blocks for good,
/// so a test can kill the process at a known point. Unset, it costs nothing: <see cref="After"/> hands the
/// per-step callback back unchanged.
/// </summary>
static class TestHold
{
    public const string Variable = "SEMIGAN_TEST_HOLD_AFTER_STEP", MarkerName = "test-hold.marker";

    static readonly (int Epoch, int Step)? At = Parse(Environment.GetEnvironmentVariable(Variable));

    static (int, int)? Parse(string? value)
    {
        if (string.IsNullOrEmpty(value)) return null;
        var parts = value.Split(':');
        if (parts.Length == 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out int epoch) && int.TryParse(parts[1], CultureInfo.InvariantCulture, out int step))
            return (epoch, step);
        throw new InvalidOperationException($"{Variable}: '{value}' is not epoch:step");
    }

    /// <summary>The epoch's per-step callback: <paramref name="onStep"/> itself unless the hold is set for this epoch.</summary>
    public static Action? After(int epoch, Action? onStep, string folder)
    {
        if (At is not { } at || at.Epoch != epoch) return onStep;
        int step = 0;
        return () =>
        {
            onStep?.Invoke();
            if (++step != at.Step) return;
            File.WriteAllText(Path.Combine(folder, MarkerName), $"{epoch}:{step}\n");
            Thread.Sleep(Timeout.Infinite);
        };
    }
}
