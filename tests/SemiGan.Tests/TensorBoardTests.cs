using SemiGan.Config;
using SemiGan.Experiments;
using SemiGan.Results;
using SemiGan.Training;
using static TorchSharp.torch;

namespace SemiGan.Tests;

/// <summary>tensorboard/&lt;run id&gt;/: every epoch's figures as scalars, read back from the event files by hand.</summary>
public class TensorBoardTests
{
    [Fact]
    public void The_readers_crc32c_gives_the_standard_check_value() =>
        Assert.Equal(0xE3069283u, TensorBoardEvents.Crc32C("123456789"u8)); // CRC-32C (Castagnoli) of "123456789"

    /// <summary>Fails in <see cref="IRunObserver.Samples"/> of one epoch: after that epoch's CSV row, before its checkpoint.</summary>
    sealed class CrashInSamples(int epoch) : IRunObserver
    {
        public void Samples(RunSpec run, int e, bool final, float[] pixels, int count, int height, int width)
        {
            if (e == epoch) throw new InvalidOperationException($"crash after epoch {e}'s row, before its checkpoint");
        }
        public void RunEnded(RunSpec run, IReadOnlyList<EpochRecord> rows) { }
    }

    [Fact]
    public void Every_epochs_figures_are_in_the_event_files_exactly_once_even_when_a_crash_reruns_an_epoch()
    {
        using var data = Synthetic.Dataset(train: 400, test: 200);
        var cfg = new ExperimentConfig
        {
            Name = "tb", Labels = [100], Seeds = [1], Epochs = 2, BatchSize = 50, LearningRate = 2e-3, SampleCount = 4, Validation = 50,
        }.Validated();
        string dir = Path.Combine(Synthetic.TempDir(), "run");
        var output = RunOutput.Open(dir, cfg);

        // The first run (sgan) crashes once epoch 2's row is written, before epoch 2's checkpoint: the resume re-runs epoch 2.
        Assert.Throws<InvalidOperationException>(() => new ExperimentRunner(cfg, data, output, CPU)
        {
            Observer = new RunObservers(new TensorBoardLog(output), new CrashInSamples(2)),
        }.Run());
        Assert.Equal([1, 2], EpochCsv.Read(output.EpochsCsv).Select(r => r.Epoch));
        new ExperimentRunner(cfg, data, RunOutput.Open(dir, cfg), CPU) { Observer = new TensorBoardLog(output) }.Run();

        var rows = EpochCsv.Read(output.EpochsCsv);
        Assert.Equal(4, rows.Count);
        foreach (var run in rows.GroupBy(r => r.Run))
        {
            var files = Directory.GetFiles(output.TensorBoardFolder(run.Key), "events.out.tfevents.*");
            Assert.Equal(run.Key.Method == "sgan" ? 2 : 1, files.Length); // one file per invocation that trained the run
            var events = new List<TensorBoardEvents.Event>();
            foreach (string f in files)
            {
                var e = TensorBoardEvents.Read(f);
                Assert.Equal("brain.Event:2", e[0].FileVersion);
                events.AddRange(e);
            }
            var scalars = events.SelectMany(e => e.Values.Where(v => v.Simple is not null).Select(v => (v.Tag, e.Step, Value: v.Simple!.Value))).ToList();
            Assert.Equal(scalars.Count, scalars.Select(s => (s.Tag, s.Step)).Distinct().Count()); // no (tag, step) twice
            Assert.Equal([1L, 2L], scalars.Select(s => s.Step).Distinct().Order());

            foreach (var row in run)
            {
                float Scalar(string tag) => Assert.Single(scalars, s => s.Tag == tag && s.Step == row.Epoch).Value;
                Assert.Equal((float)row.TestAccuracy!.Value, Scalar("test/accuracy"));
                Assert.Equal((float)row.TestLoss!.Value, Scalar("test/loss"));
                Assert.Equal((float)row.ValidationAccuracy!.Value, Scalar("validation/accuracy"));
                Assert.Equal((float)row.ValidationLoss!.Value, Scalar("validation/loss"));
                Assert.Equal((float)row.Iterations, Scalar("progress/iterations"));
                Assert.NotEmpty(row.Losses.Names);
                foreach (var (name, value) in row.Losses.Items) Assert.Equal((float)value!.Value, Scalar($"train/{name}_loss"));
                var expectedTags = new[] { "test/accuracy", "test/loss", "validation/accuracy", "validation/loss", "progress/iterations", "progress/epoch_seconds" }
                    .Concat(row.Losses.Names.Select(n => $"train/{n}_loss")).Order();
                Assert.Equal(expectedTags, scalars.Where(s => s.Step == row.Epoch).Select(s => s.Tag).Order());
            }
            Assert.Contains(run.Key.Method == "sgan" ? "train/generator_loss" : "train/supervised_loss", scalars.Select(s => s.Tag));

            // The sample grid of every epoch (the first seed keeps one per epoch), once each; none for the baseline.
            var images = events.SelectMany(e => e.Values.Where(v => v.Image is not null).Select(v => (v.Tag, e.Step, v.Image!))).ToList();
            if (run.Key.Method == "baseline") { Assert.Empty(images); continue; }
            Assert.Equal([1L, 2L], images.Select(i => i.Step).Order());
            foreach (var (tag, _, image) in images)
            {
                Assert.Equal(TensorBoardLog.SamplesTag, tag);
                Assert.Equal((62, 62), (image.Height, image.Width)); // 2x2 samples of 28x28 with 2-pixel gaps
                Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, image.Encoded[..4]);
            }
        }
    }
}
