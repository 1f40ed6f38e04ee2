using SemiGan.Config;
using SemiGan.Experiments;
using SemiGan.Methods;
using SemiGan.Results;
using static TorchSharp.torch;

namespace SemiGan.Tests;

/// <summary>
/// Every registered method through the runner on synthetic data: it writes a row per epoch, and a run killed inside
/// its second epoch resumes from its checkpoint to exactly the rows of an uninterrupted run (so every network, optimizer,
/// average and teacher it needs is in its checkpoint, and its draws depend only on (seed, epoch, step)).
/// </summary>
public class MethodResumeTests
{
    public static TheoryData<string> Methods => new(MethodRegistry.All.Select(m => m.Name));

    [Theory]
    [MemberData(nameof(Methods))]
    public void A_run_killed_inside_its_second_epoch_resumes_to_the_rows_of_an_uninterrupted_one(string method)
    {
        using var data = Synthetic.Dataset(train: 300, test: 100);
        var cfg = new ExperimentConfig
        {
            Name = "resume", Labels = [100], Seeds = [1], Epochs = 2, Protocol = ["streams"], BatchSize = 50, EvalBatchSize = 100,
            SampleCount = 0, Methods = [method],
            // fixmatch's μ·B must fit the 300 images twice over
            MethodSettings = method == "fixmatch" ? new() { ["fixmatch"] = new MethodOptions().WithOwn("mu", 2) } : null,
        }.Validated();
        string dir = Synthetic.TempDir();
        long total = 0;
        var expected = new ExperimentRunner(cfg, data, RunOutput.Open(Path.Combine(dir, "full"), cfg), CPU) { Progress = p => total = p.StepsTotal }
            .Run().Select(r => r.Untimed()).ToList();
        Assert.Equal(2, expected.Count);
        Assert.True(total >= 4, $"{total} steps");

        var output = RunOutput.Open(Path.Combine(dir, "killed"), cfg);
        Assert.Throws<InvalidOperationException>(() => new ExperimentRunner(cfg, data, output, CPU)
        {
            Progress = p => { if (p.StepsDone == total / 2 + 1) throw new InvalidOperationException("killed in epoch 2"); },
        }.Run());
        Assert.Single(EpochCsv.Read(output.EpochsCsv));
        new ExperimentRunner(cfg, data, RunOutput.Open(Path.Combine(dir, "killed"), cfg), CPU).Run();
        Assert.Equal(expected, EpochCsv.Read(output.EpochsCsv).Select(r => r.Untimed()).ToList());
    }
}
