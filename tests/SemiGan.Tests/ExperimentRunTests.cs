using SemiGan.Config;
using SemiGan.Data;
using SemiGan.Experiments;
using SemiGan.Results;
using static TorchSharp.torch;

namespace SemiGan.Tests;

/// <summary>A run's checks and splits are worked out once (<see cref="ExperimentRun"/>) and the runner trains on what it is handed.</summary>
public class ExperimentRunTests
{
    static ExperimentConfig Config => new ExperimentConfig
    {
        Name = "once", Labels = [20], Seeds = [1], Epochs = 1, Methods = ["baseline"], BatchSize = 20, SampleCount = 0,
    }.Validated();

    [Fact]
    public void The_runner_trains_on_the_splits_it_is_handed_instead_of_drawing_them_again()
    {
        using var data = Synthetic.Dataset(train: 200, test: 50);
        var cfg = Config;
        var drawn = ExperimentRunner.CheckedSplits(cfg, data.TrainLabelsHost);
        // Handed splits the runner would never draw for seed 1 (those of seed 7), so its split file shows which it used.
        var handed = new ExperimentRunner.SplitSet(new() { [(20, 1)] = LabeledSplit.Create(data.TrainLabelsHost, 20, 7, 10) }, []);
        Assert.NotEqual(drawn.Labeled[(20, 1)].Indices, handed.Labeled[(20, 1)].Indices);
        var output = RunOutput.Open(Path.Combine(Synthetic.TempDir(), "run"), cfg);

        new ExperimentRunner(cfg, data, output, CPU) { Splits = handed }.Run();

        Assert.Equal(handed.Labeled[(20, 1)].Indices.Order(), LabeledSplit.LoadIndices(output.SplitPath(20, 1)).Order());
    }

    [Fact]
    public void The_checks_write_nothing_and_refuse_a_restart_id_outside_the_grid_or_an_ended_run()
    {
        string dir = Synthetic.TempDir(), data = Synthetic.WriteFolder(Path.Combine(dir, "data"), train: 200, test: 50), outDir = Path.Combine(dir, "out");
        var cfg = Config;
        var options = new RunOptions { DataFolder = data, Verify = false };
        Assert.Equal(cfg, ExperimentRun.Check(cfg, outDir, options).Config);
        Assert.False(Directory.Exists(outDir));

        var e = Assert.Throws<ConfigException>(() => ExperimentRun.Check(cfg, outDir, options with { RestartRuns = ["nope"] }));
        Assert.StartsWith("--restart-run: 'nope' is not a run of experiment 'once'", e.Message);

        var run = cfg.Runs().Single();
        var folder = RunOutput.Open(outDir, cfg);
        folder.WriteConfig(cfg);
        RunStatusCsv.Rewrite(folder.RunsCsv, [new RunStatus { RunId = run.Id, Run = run, Status = RunStatus.Finished, Epoch = 1 }]);
        e = Assert.Throws<ConfigException>(() => ExperimentRun.Check(cfg, outDir, options with { RestartRuns = [run.Id] }));
        Assert.StartsWith($"--restart-run {run.Id}: that run has already ended (finished)", e.Message);
        // An impossible split is refused by the checks too, from the label file alone.
        Assert.Throws<ConfigException>(() => ExperimentRun.Check(cfg with { Labels = [500] }, Path.Combine(dir, "other"), options));
    }
}
