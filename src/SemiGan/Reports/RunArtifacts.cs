using SemiGan.Models;
using SemiGan.Config;
using SemiGan.Results;
using SemiGan.Training;

namespace SemiGan.Reports;

/// <summary>
/// Draws a run folder's pictures while it trains and after a merge: a learning-curve chart per label count
/// (accuracy-labels-N.png/.svg) and generator sample grids (samples/), each captioned with its run and epoch.
/// </summary>
public sealed class RunArtifacts(RunOutput output) : IRunObserver
{
    public void Samples(RunSpec run, int epoch, bool final, float[] pixels, int count, int height, int width) =>
        SampleGrid.WritePng(pixels, count, height, width, (int)Math.Ceiling(Math.Sqrt(count)),
            final ? output.SamplesPath(run) : output.SamplesPath(run, epoch), caption: SampleCaption(run, epoch, final));

    /// <summary>"Generator samples, sgan-mnist-masked-gan_logit-labels-100-seed-1, after epoch 3 (the last)".</summary>
    public static string SampleCaption(RunSpec run, int epoch, bool final) =>
        $"Generator samples, {run.Id}, after epoch {epoch}{(final ? " (the last)" : "")}";

    public void RunEnded(RunSpec run, IReadOnlyList<EpochRecord> rows) =>
        AccuracyCharts(output, rows.Where(r => r.Run.Labels == run.Labels).ToList());

    /// <summary>The learning-curve chart of every label count in <paramref name="rows"/> (all methods and variants of it).</summary>
    public static void AccuracyCharts(RunOutput output, IReadOnlyList<EpochRecord> rows)
    {
        if (File.Exists(output.ConfigPath)) ChartStyle.Know(Config.ExperimentConfig.Load(output.ConfigPath));
        foreach (var group in rows.GroupBy(r => r.Run.Labels))
        {
            var g = group.ToList();
            string protocols = string.Join("/", g.Select(r => r.Run.Protocol.Name()).Distinct());
            string datasets = string.Join("/", g.Select(r => Data.Datasets.Find(r.Run.Dataset)?.DisplayName ?? r.Run.Dataset).Distinct());
            string note = Path.Combine(output.Folder, "note.md");
            // A folder that never evaluated the test set (evaluateTest: false) can only draw validation accuracy.
            bool tuning = (ReportWriter.IsTuning(g[0].Experiment, File.Exists(note) ? File.ReadAllText(note) : null) || g.Any(r => r.TestAccuracy is null))
                          && g.All(r => r.ValidationAccuracy is not null);
            // The methods are in the legend; naming them all here made titles wider than the figure.
            string title = $"Learning curves ({datasets}, {group.Key} labels, {protocols} protocol){(tuning ? ": validation accuracy" : "")}";
            AccuracyChart.Write(g, output.ChartPng(group.Key), output.ChartSvg(group.Key), title, validation: tuning);
        }
    }
}
