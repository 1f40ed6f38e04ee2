using SemiGan.Models;
using SemiGan.Training;
using SemiGan.Results;

namespace SemiGan.Reports;

/// <summary>One finished run (model x variant x seed) reduced to its final-accuracy figures.</summary>
/// <param name="Final">Test accuracy at the selected epoch (<see cref="SelectedEpoch"/>: the last one, or the one of best
/// validation accuracy under <c>select: best-validation</c>): the definition of "final accuracy" everywhere.</param>
/// <param name="LastMean">Mean test accuracy over the last <c>k</c> epochs (a second, less noisy column).</param>
/// <param name="LastStd">Std of test accuracy over the last <c>k</c> epochs: the run's within-run spread.</param>
/// <param name="Status">finished, diverged or unfinished (runs.csv); only finished runs enter the statistics.</param>
/// <param name="Last">Test accuracy at the last epoch, whatever the selection rule.</param>
/// <param name="BestValidation">Test accuracy at the best-validation epoch (<see cref="Aggregation.Selected"/>), whatever the
/// selection rule; NaN when some epoch has no validation accuracy.</param>
public sealed record RunResult(string Experiment, Training.RunSpec Run,
    int Epochs, double Final, double LastMean, double LastStd, string Status = RunStatus.Finished, string Detail = "", int SelectedEpoch = 0,
    double? SelectedValidation = null, double Last = double.NaN, double BestValidation = double.NaN)
{
    public bool Finished => Status == RunStatus.Finished;
}

/// <summary>Per (experiment, model, protocol, head, label count): statistics across seeds.</summary>
public sealed record VariantSummary(string Experiment, string Method, string Protocol, string Head, int Labels,
    Summary Final, Summary LastMean, double WithinRunSpread, int[] Seeds, int[] DivergedSeeds, int[] UnfinishedSeeds);

/// <summary>A method minus the reference method per (experiment, protocol, head, label count), paired by seed (same seed = same labeled split).</summary>
/// <param name="Spread">Across-seed spread of final accuracy over the paired seeds, the method's (A) against the reference's (B).</param>
/// <param name="SmallestDetectableGain">The smallest true mean gain in final accuracy that a paired t-test on these pairs detects
/// with 80% power at α = 0.05, taking the observed std of the differences as the true one (<see cref="Statistics.SmallestDetectableGain"/>).</param>
public sealed record GainSummary(string Experiment, string Method, string Reference, string Protocol, string Head, int Labels,
    PairedTest Final, PairedTest LastMean, int[] PairedSeeds, int[] MethodOnlySeeds, int[] ReferenceOnlySeeds,
    SpreadComparison Spread, double SmallestDetectableGain);

/// <summary>One gain's paired test under each selection rule, over the gain's paired seeds: the test accuracy at the
/// best-validation epoch (NaN where a run has no validation accuracy), at the last epoch, and its mean over the last k epochs.</summary>
public sealed record RuleGains(GainSummary Gain, PairedTest BestValidation, PairedTest Last, PairedTest LastMean);

/// <summary>A drop of more than <see cref="Aggregation.CollapseDrop"/> in one accuracy between consecutive epochs of a run.</summary>
/// <param name="Measure">"validation" or "test".</param>
public sealed record Collapse(string Experiment, Training.RunSpec Run, string Measure, int FromEpoch, double From, int ToEpoch, double To);

/// <summary>Reduces per-epoch rows to runs, variants, paired gains and collapses. Nothing here selects by test accuracy.</summary>
public static class Aggregation
{
    public const int DefaultLastEpochs = 3;

    /// <summary>
    /// One result per run. <paramref name="statuses"/> (runs.csv) marks runs diverged; a run missing from it
    /// is unfinished. Without a runs.csv (null) every run counts as finished.
    /// </summary>
    public static List<RunResult> Runs(IEnumerable<EpochRecord> rows, IReadOnlyList<RunStatus>? statuses = null, int lastEpochs = DefaultLastEpochs,
        string select = Config.SelectRule.Last)
    {
        var byRun = statuses?.GroupBy(s => s.Run).ToDictionary(g => g.Key, g => g.Last());
        // Grouped by experiment and run without its dataset, as before the dataset was recorded; a run takes its first row's.
        return rows.GroupBy(r => (r.Experiment, r.Run.Method, r.Run.Protocol, r.Run.Head, r.Run.Labels, r.Run.Seed))
            .Select(g =>
            {
                var ordered = g.OrderBy(r => r.Epoch).ToList();
                var tail = ordered.TakeLast(lastEpochs).Select(r => r.TestAccuracy ?? double.NaN).ToArray(); // NaN: a folder that never evaluated the test set
                var s = Statistics.Summarize(tail);
                var status = byRun is null ? null : byRun.GetValueOrDefault(ordered[0].Run);
                var selected = Selected(ordered, select);
                double bestValidation = ordered.All(r => r.ValidationAccuracy is not null)
                    ? Selected(ordered, Config.SelectRule.BestValidation).TestAccuracy ?? double.NaN : double.NaN;
                return new RunResult(g.Key.Experiment, ordered[0].Run,
                    ordered[^1].Epoch, selected.TestAccuracy ?? double.NaN, s.Mean, s.N < 2 ? 0 : s.Std,
                    byRun is null ? RunStatus.Finished : status?.Status ?? "unfinished", status?.Detail ?? "", selected.Epoch,
                    selected.ValidationAccuracy, ordered[^1].TestAccuracy ?? double.NaN, bestValidation);
            })
            .OrderBy(r => r.Experiment).ThenBy(r => r.Run.Labels).ThenBy(r => r.Run.Protocol.Name()).ThenBy(r => r.Run.Head.Name())
            .ThenBy(r => ChartStyle.Order(r.Run.Method)).ThenBy(r => r.Run.Seed)
            .ToList();
    }

    /// <summary>
    /// The epoch whose test accuracy is the run's final one: the last, or under best-validation the epoch with the
    /// highest validation accuracy, the latest of tied ones. Test accuracy takes no part in the choice.
    /// </summary>
    /// <remarks>
    /// Why the later of tied epochs: equal validation accuracy says nothing to prefer either model, but the later one has
    /// trained on more data and (under a decaying learning rate) with smaller, less noisy steps, and it is the one the
    /// "last" rule would pick were training stopped there. The choice still looks only at validation accuracy.
    /// </remarks>
    public static EpochRecord Selected(IReadOnlyList<EpochRecord> ordered, string select)
    {
        if (select != Config.SelectRule.BestValidation) return ordered[^1];
        if (ordered.Any(r => r.ValidationAccuracy is null))
            throw new InvalidDataException($"select {select}: run {ordered[0].Run.Method} seed {ordered[0].Run.Seed} has epochs without validation accuracy.");
        return ordered.Aggregate((best, r) => r.ValidationAccuracy >= best.ValidationAccuracy ? r : best); // ordered by epoch: >= keeps the later tie
    }

    /// <summary>Each gain under the three selection rules, paired over the same seeds as <paramref name="gains"/>.</summary>
    public static List<RuleGains> ByRule(IEnumerable<RunResult> runs, IEnumerable<GainSummary> gains)
    {
        var finished = runs.Where(r => r.Finished)
            .ToDictionary(r => (r.Experiment, r.Run.Method, Protocol: r.Run.Protocol.Name(), Head: r.Run.Head.Name(), r.Run.Labels, r.Run.Seed));
        return gains.Select(g =>
        {
            RunResult Of(string method, int seed) => finished[(g.Experiment, method, g.Protocol, g.Head, g.Labels, seed)];
            PairedTest Test(Func<RunResult, double> accuracy) => Statistics.Paired(
                g.PairedSeeds.Select(s => accuracy(Of(g.Method, s))).ToArray(), g.PairedSeeds.Select(s => accuracy(Of(g.Reference, s))).ToArray());
            return new RuleGains(g, Test(r => r.BestValidation), Test(r => r.Last), Test(r => r.LastMean));
        }).ToList();
    }

    /// <summary>A drop larger than this (10 pp) between consecutive epochs is a collapse the report lists.</summary>
    public const double CollapseDrop = 0.10;

    /// <summary>
    /// Every drop of more than <see cref="CollapseDrop"/> in validation or test accuracy from one epoch to the next, per run;
    /// epochs without the accuracy (a tuning folder has no test accuracy) compare with nothing.
    /// </summary>
    public static List<Collapse> Collapses(IEnumerable<EpochRecord> rows) =>
        rows.GroupBy(r => (r.Experiment, r.Run.Method, r.Run.Protocol, r.Run.Head, r.Run.Labels, r.Run.Seed))
            .SelectMany(g =>
            {
                var ordered = g.OrderBy(r => r.Epoch).ToList();
                return new (string Measure, Func<EpochRecord, double?> Accuracy)[] { ("validation", r => r.ValidationAccuracy), ("test", r => r.TestAccuracy) }
                    .SelectMany(m => ordered.Zip(ordered.Skip(1))
                        // Accuracies are counts over a fixed set, so 1e-9 only absorbs rounding: a drop of exactly 10 pp is not flagged.
                        .Where(p => m.Accuracy(p.First) is double a && m.Accuracy(p.Second) is double b && a - b > CollapseDrop + 1e-9)
                        .Select(p => new Collapse(g.Key.Experiment, ordered[0].Run, m.Measure, p.First.Epoch, m.Accuracy(p.First)!.Value, p.Second.Epoch, m.Accuracy(p.Second)!.Value)));
            })
            .OrderBy(c => c.Experiment).ThenBy(c => c.Run.Labels).ThenBy(c => c.Run.Protocol.Name()).ThenBy(c => c.Run.Head.Name())
            .ThenBy(c => ChartStyle.Order(c.Run.Method)).ThenBy(c => c.Run.Seed).ThenBy(c => c.ToEpoch).ThenBy(c => c.Measure)
            .ToList();

    /// <summary>Statistics over finished runs; diverged and unfinished seeds are listed, not averaged in.</summary>
    public static List<VariantSummary> Variants(IEnumerable<RunResult> runs) =>
        runs.GroupBy(r => (r.Experiment, r.Run.Method, Protocol: r.Run.Protocol.Name(), Head: r.Run.Head.Name(), r.Run.Labels))
            .Select(g =>
            {
                var ok = g.Where(r => r.Finished).ToList();
                return new VariantSummary(g.Key.Experiment, g.Key.Method, g.Key.Protocol, g.Key.Head, g.Key.Labels,
                    Statistics.Summarize(ok.Select(r => r.Final).ToArray()),
                    Statistics.Summarize(ok.Select(r => r.LastMean).ToArray()),
                    ok.Count == 0 ? double.NaN : ok.Average(r => r.LastStd),
                    ok.Select(r => r.Run.Seed).Order().ToArray(),
                    g.Where(r => r.Status == RunStatus.Diverged).Select(r => r.Run.Seed).Order().ToArray(),
                    g.Where(r => r.Status == "unfinished").Select(r => r.Run.Seed).Order().ToArray());
            })
            .ToList();

    /// <summary>Every other method against <paramref name="reference"/> (none: no gains), paired by seed.</summary>
    public static List<GainSummary> Gains(IEnumerable<RunResult> runs, string? reference) =>
        reference is null ? [] : Gains(runs, runs.Select(r => r.Run.Method).Distinct().Where(m => m != reference).Select(m => (m, reference)).ToList());

    /// <summary>Each (method, reference) pair's gain, paired by seed, where both were run.</summary>
    public static List<GainSummary> Gains(IEnumerable<RunResult> runs, IReadOnlyList<(string Method, string Reference)> pairs) =>
        runs.GroupBy(r => (r.Experiment, Protocol: r.Run.Protocol.Name(), Head: r.Run.Head.Name(), r.Run.Labels))
            .SelectMany(g => pairs.Where(p => g.Any(r => r.Run.Method == p.Method) && g.Any(r => r.Run.Method == p.Reference)).Select(pair =>
            {
                var (method, reference) = pair;
                var treated = g.Where(r => r.Run.Method == method && r.Finished).ToDictionary(r => r.Run.Seed);
                var control = g.Where(r => r.Run.Method == reference && r.Finished).ToDictionary(r => r.Run.Seed);
                // Only seeds finished by both methods are paired; the others are reported, never silently dropped.
                int[] paired = treated.Keys.Intersect(control.Keys).Order().ToArray();
                double[] methodFinal = paired.Select(s => treated[s].Final).ToArray(), referenceFinal = paired.Select(s => control[s].Final).ToArray();
                var final = Statistics.Paired(methodFinal, referenceFinal);
                return new GainSummary(g.Key.Experiment, method, reference, g.Key.Protocol, g.Key.Head, g.Key.Labels,
                    final,
                    Statistics.Paired(paired.Select(s => treated[s].LastMean).ToArray(), paired.Select(s => control[s].LastMean).ToArray()),
                    paired,
                    treated.Keys.Except(control.Keys).Order().ToArray(),
                    control.Keys.Except(treated.Keys).Order().ToArray(),
                    Statistics.CompareSpread(methodFinal, referenceFinal),
                    Statistics.SmallestDetectableGain(final.N, final.StdDifference));
            }))
            .OrderBy(g => g.Experiment).ThenBy(g => g.Labels).ThenBy(g => g.Protocol).ThenBy(g => g.Head)
            .ThenBy(g => pairs.ToList().IndexOf((g.Method, g.Reference)))
            .ToList();
}
