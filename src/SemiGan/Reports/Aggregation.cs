using SemiGan.Results;

namespace SemiGan.Reports;

/// <summary>One finished run (model x variant x seed) reduced to its final-accuracy figures.</summary>
/// <param name="Final">Test accuracy after the last epoch: the definition of "final accuracy" everywhere.</param>
/// <param name="LastMean">Mean test accuracy over the last <c>k</c> epochs (a second, less noisy column).</param>
/// <param name="LastStd">Std of test accuracy over the last <c>k</c> epochs: the run's within-run spread.</param>
public sealed record RunResult(string Experiment, string Model, string Protocol, string Head, int Labels, int Seed,
    int Epochs, double Final, double LastMean, double LastStd);

/// <summary>Per (experiment, model, protocol, head, label count): statistics across seeds.</summary>
public sealed record VariantSummary(string Experiment, string Model, string Protocol, string Head, int Labels,
    Summary Final, Summary LastMean, double WithinRunSpread, int[] Seeds);

/// <summary>SGAN minus baseline per (experiment, protocol, head, label count), paired by seed (same seed = same labeled split).</summary>
public sealed record GainSummary(string Experiment, string Protocol, string Head, int Labels,
    PairedTest Final, PairedTest LastMean, int[] PairedSeeds, int[] SganOnlySeeds, int[] BaselineOnlySeeds);

/// <summary>Reduces per-epoch rows to runs, variants and paired gains. Nothing here looks for a "best" epoch.</summary>
public static class Aggregation
{
    public const int DefaultLastEpochs = 3;

    public static List<RunResult> Runs(IEnumerable<EpochRecord> rows, int lastEpochs = DefaultLastEpochs) =>
        rows.GroupBy(r => (r.Experiment, r.Model, r.Protocol, r.Head, r.Labels, r.Seed))
            .Select(g =>
            {
                var ordered = g.OrderBy(r => r.Epoch).ToList();
                var tail = ordered.TakeLast(lastEpochs).Select(r => r.TestAccuracy).ToArray();
                var s = Statistics.Summarize(tail);
                return new RunResult(g.Key.Experiment, g.Key.Model, g.Key.Protocol, g.Key.Head, g.Key.Labels, g.Key.Seed,
                    ordered[^1].Epoch, ordered[^1].TestAccuracy, s.Mean, s.N < 2 ? 0 : s.Std);
            })
            .OrderBy(r => r.Experiment).ThenBy(r => r.Labels).ThenBy(r => r.Protocol).ThenBy(r => r.Head)
            .ThenByDescending(r => r.Model).ThenBy(r => r.Seed)
            .ToList();

    public static List<VariantSummary> Variants(IEnumerable<RunResult> runs) =>
        runs.GroupBy(r => (r.Experiment, r.Model, r.Protocol, r.Head, r.Labels))
            .Select(g => new VariantSummary(g.Key.Experiment, g.Key.Model, g.Key.Protocol, g.Key.Head, g.Key.Labels,
                Statistics.Summarize(g.Select(r => r.Final).ToArray()),
                Statistics.Summarize(g.Select(r => r.LastMean).ToArray()),
                g.Average(r => r.LastStd),
                g.Select(r => r.Seed).Order().ToArray()))
            .ToList();

    public static List<GainSummary> Gains(IEnumerable<RunResult> runs) =>
        runs.GroupBy(r => (r.Experiment, r.Protocol, r.Head, r.Labels))
            .Where(g => g.Any(r => r.Model == "sgan") && g.Any(r => r.Model == "baseline"))
            .Select(g =>
            {
                var sgan = g.Where(r => r.Model == "sgan").ToDictionary(r => r.Seed);
                var baseline = g.Where(r => r.Model == "baseline").ToDictionary(r => r.Seed);
                // Only seeds present for both models are paired; the others are reported, never silently dropped.
                int[] paired = sgan.Keys.Intersect(baseline.Keys).Order().ToArray();
                return new GainSummary(g.Key.Experiment, g.Key.Protocol, g.Key.Head, g.Key.Labels,
                    Statistics.Paired(paired.Select(s => sgan[s].Final).ToArray(), paired.Select(s => baseline[s].Final).ToArray()),
                    Statistics.Paired(paired.Select(s => sgan[s].LastMean).ToArray(), paired.Select(s => baseline[s].LastMean).ToArray()),
                    paired,
                    sgan.Keys.Except(baseline.Keys).Order().ToArray(),
                    baseline.Keys.Except(sgan.Keys).Order().ToArray());
            })
            .OrderBy(g => g.Experiment).ThenBy(g => g.Labels).ThenBy(g => g.Protocol).ThenBy(g => g.Head)
            .ToList();
}
