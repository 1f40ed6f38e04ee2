using SemiGan.Results;

namespace SemiGan.Tests;

/// <summary>An append after an interrupted write (a last line without its newline, which reading ignores) starts on a line of its own.</summary>
public class CsvAppendTests
{
    static RunStatus Status(int seed) => new()
    {
        RunId = $"baseline-mnist-masked-gan_logit-labels-100-seed-{seed}", Run = Training.RunSpec.Of(100, "masked", "gan_logit", seed, "baseline", "mnist"), Status = RunStatus.Finished, Epoch = 1,
    };

    [Fact]
    public void A_torn_last_line_is_dropped_before_appending()
    {
        string path = Path.Combine(Synthetic.TempDir(), "runs.csv");
        RunStatusCsv.Rewrite(path, [Status(1)]);
        File.AppendAllText(path, "baseline-mnist-masked-gan_logit-labels-100-seed-9,mni");
        RunStatusCsv.Append(path, Status(2));
        Assert.Equal([Status(1), Status(2)], RunStatusCsv.Read(path));
    }

    [Fact]
    public void A_torn_header_is_written_again()
    {
        string path = Path.Combine(Synthetic.TempDir(), "runs.csv");
        File.WriteAllText(path, "run_id,dataset,meth");
        Assert.Empty(RunStatusCsv.Read(path));
        RunStatusCsv.Append(path, Status(3));
        Assert.Equal([Status(3)], RunStatusCsv.Read(path));
    }
}
