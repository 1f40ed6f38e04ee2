using System.Globalization;
using SemiGan.Config;
using SemiGan.Experiments;
using SemiGan.Methods;
using SemiGan.Models;
using SemiGan.Results;
using SemiGan.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace SemiGan.Tests;

/// <summary>The opt-in per-step diagnostics (`semigan run --diagnostics N`): its columns and figures, and that it changes no run.</summary>
public class StepDiagnosticsTests
{
    static readonly ImageShape Small = new(1, 8, 8, 3);

    /// <summary>A tiny CNN (with batch norm), its Adam, a fixed batch, and a weight average, trained step by step.</summary>
    sealed class Tiny : IDisposable
    {
        public readonly Discriminator D;
        public readonly TorchSharp.Modules.Adam Adam;
        public readonly WeightAverage Average;
        public readonly Tensor X, Y, ValX, ValY;
        public const double Lr = 0.01;

        public Tiny(int seed)
        {
            random.manual_seed(seed);
            D = new Discriminator(KPlusOneHead.GanLogit, dropout: 0.3, Implementation.Reference, Small);
            Adam = optim.Adam(D.parameters(), Lr, 0.5, 0.999, weight_decay: 5e-4);
            Average = new WeightAverage(D, 0.1);
            var g = new torch.Generator().manual_seed(7);
            X = rand([12, 1, 8, 8], generator: g) * 2 - 1;
            Y = randint(0, 3, [12], generator: g);
            ValX = rand([9, 1, 8, 8], generator: g) * 2 - 1;
            ValY = randint(0, 3, [9], generator: g);
            D.train();
        }

        /// <summary>One step (a dropout draw, a backward pass, Adam); returns the loss.</summary>
        public Tensor Step()
        {
            Adam.zero_grad();
            var loss = nn.functional.cross_entropy(D.forward(X), Y);
            loss.backward();
            Adam.step();
            Average.Update();
            return loss;
        }

        public void Dispose() { Adam.Dispose(); Average.Dispose(); D.Dispose(); }
    }

    static float[] Host(Tensor t) => t.detach().cpu().contiguous().data<float>().ToArray();

    [Fact]
    public void Every_column_is_there_and_finite_and_the_gradient_update_and_second_moment_match_a_hand_computation()
    {
        using var t = new Tiny(1);
        var rows = new List<IReadOnlyList<(string Column, double Value)>>();
        var diagnostics = new StepDiagnostics(1, 0, rows.Add, t.ValX, t.ValY, 4);
        for (int step = 1; step <= 3; step++)
        {
            var weightsBefore = t.D.named_parameters().ToDictionary(p => p.name, p => Host(p.parameter));
            using var before = diagnostics.Before(t.D);
            Assert.NotNull(before);
            var loss = t.Step();
            // By hand, on the host: the gradient's global norm, the update's norm and largest coordinate over lr.
            double grad2 = 0, update2 = 0, updateMax = 0, absGrad = 0, n = 0;
            foreach (var (name, p) in t.D.named_parameters())
            {
                float[] g = Host(p.grad!), w = Host(p), w0 = weightsBefore[name];
                for (int i = 0; i < g.Length; i++)
                {
                    grad2 += (double)g[i] * g[i];
                    double d = (double)w[i] - w0[i];
                    update2 += d * d;
                    updateMax = Math.Max(updateMax, Math.Abs(d));
                    absGrad += Math.Abs(g[i] + 5e-4 * w0[i]); // Adam's gradient holds the weight-decay term
                    n++;
                }
            }
            diagnostics.After(before, stepped: true, epoch: 1, Tiny.Lr, ["supervised"], [("supervised", loss)], t.D, t.Adam, t.Average.Swapped, (t.X, t.Y));
            var row = rows[^1].ToDictionary(r => r.Column, r => r.Value);

            foreach (string column in new[]
            {
                "step", "epoch", "learning_rate", "supervised", "grad_norm", "weight_norm", "update_norm", "relative_update", "update_max_over_lr",
                "update_share_over_lr", "weight_norm:conv2.weight", "relative_update:conv2.weight", "adam_sqrt_v_mean", "adam_sqrt_v_min",
                "bn_mean_shift_max", "bn_var_log_ratio_max", "bn_running_var_mean:norm2", "bn_running_var_mean:norm3",
                "batch_accuracy_live", "batch_accuracy_averaged", "validation_accuracy_live", "validation_accuracy_averaged",
                "validation_loss_live", "validation_loss_averaged", "validation_accuracy_batch_stats_live", "validation_accuracy_batch_stats_averaged",
            })
                Assert.True(row.ContainsKey(column), $"no column {column}");
            foreach (var (column, value) in row) Assert.True(double.IsFinite(value), $"step {step}: {column} = {value}");
            Assert.Equal(step, row["step"]);
            Assert.Equal(loss.ToDouble(), row["supervised"]);
            Assert.Equal(Math.Sqrt(grad2), row["grad_norm"], 1e-6 * Math.Sqrt(grad2));
            Assert.Equal(Math.Sqrt(update2), row["update_norm"], 1e-6 * Math.Sqrt(update2));
            Assert.Equal(updateMax / Tiny.Lr, row["update_max_over_lr"], 1e-6 * updateMax / Tiny.Lr);
            // After Adam's first step, v̂ = g² exactly: the mean of √v̂ is the mean |g|.
            if (step == 1) Assert.Equal(absGrad / n, row["adam_sqrt_v_mean"], 1e-6 * absGrad / n);
            // Adam's first step moves every coordinate with a gradient by lr (m̂/√v̂ = ±1).
            if (step == 1) Assert.Equal(1, row["update_max_over_lr"], 1e-3);
            Assert.InRange(row["validation_accuracy_live"], 0, 1);
        }
    }

    [Fact]
    public void Logging_changes_no_weight_running_statistic_mode_or_random_draw_and_skips_steps_between_every_nth()
    {
        using var plain = new Tiny(2);
        for (int step = 1; step <= 4; step++) plain.Step();
        float nextPlain = rand(1).item<float>(); // dropout draws from torch's generator: the next draw says how many were taken

        using var logged = new Tiny(2); // seeds torch's generator again
        var rows = new List<IReadOnlyList<(string Column, double Value)>>();
        var diagnostics = new StepDiagnostics(2, 0, rows.Add, logged.ValX, logged.ValY, 4);
        for (int step = 1; step <= 4; step++)
        {
            using var before = diagnostics.Before(logged.D);
            Assert.Equal(step % 2 == 0, before is not null);
            var loss = logged.Step();
            diagnostics.After(before, stepped: true, epoch: 1, Tiny.Lr, ["supervised"], [("supervised", loss)], logged.D, logged.Adam, logged.Average.Swapped, (logged.X, logged.Y));
            Assert.True(logged.D.training && logged.D.modules().All(m => m.training));
        }
        Assert.Equal(nextPlain, rand(1).item<float>());
        Assert.Equal([2.0, 4.0], rows.Select(r => r.First(c => c.Column == "step").Value));
        foreach (var ((name, a), (_, b)) in plain.D.state_dict().Zip(logged.D.state_dict()))
            Assert.True(a.equal(b).all().item<bool>(), $"{name} differs with the diagnostics on");
        for (int i = 0; i < plain.D.parameters().Count(); i++)
            Assert.True(plain.Average.Average(i).equal(logged.Average.Average(i)).all().item<bool>(), $"averaged weight {i} differs with the diagnostics on");
    }

    [Theory]
    [InlineData(Implementation.Fast)]
    [InlineData(Implementation.Reference)]
    public void The_supervised_CNNs_adamEps_is_its_Adams_epsilon_and_defaults_to_torchs(Implementation impl)
    {
        double Eps(MethodRun run) => run.Optimizers.Single().Optimizer.ParamGroups.Cast<TorchSharp.Modules.ParamGroup>()
            .Select(g => ((TorchSharp.Modules.Adam.Options)g.Options).eps!.Value).Distinct().Single();
        using (var plain = MethodSteps.Start("supervised", impl)) Assert.Equal(1e-8, Eps(plain));
        using (var larger = MethodSteps.Start("supervised", impl, own: new SupervisedOptions { AdamEps = 1e-4 })) Assert.Equal(1e-4, Eps(larger));
        using (var torchs = optim.Adam([nn.Parameter(zeros(1))], 1e-3)) // the default kept: torch's own
            Assert.Equal(1e-8, ((TorchSharp.Modules.Adam.Options)torchs.ParamGroups.Cast<TorchSharp.Modules.ParamGroup>().Single().Options).eps);
    }

    static ExperimentConfig Config(string name) => new ExperimentConfig
    {
        Name = name, Labels = [20], Seeds = [1], Epochs = 2, Protocol = ["masked"], Head = ["gan_logit"], Validation = 20,
        Methods = ["supervised"], BatchSize = 20, SampleCount = 0, EvalBatchSize = 50,
        MethodSettings = new() { ["supervised"] = new MethodOptions { Ema = 0.01, WeightDecay = 5e-4, LearningRate = 1e-3 } },
    }.Validated();

    [Fact]
    public void A_run_with_the_log_on_writes_one_row_per_step_and_the_same_epoch_rows_as_without_it()
    {
        using var data = Synthetic.Dataset(train: 200, test: 30);
        var cfg = Config("diagnostics");
        var off = RunOutput.Open(Path.Combine(Synthetic.TempDir(), "off"), cfg);
        var on = RunOutput.Open(Path.Combine(Synthetic.TempDir(), "on"), cfg);
        var rowsOff = new ExperimentRunner(cfg, data, off, CPU).Run();
        var rowsOn = new ExperimentRunner(cfg, data, on, CPU) { DiagnosticsEvery = 1 }.Run();

        var run = cfg.Runs().Single();
        Assert.False(Directory.Exists(Path.Combine(off.Folder, "diagnostics")));
        Assert.Equal(rowsOff.Count, rowsOn.Count);
        Assert.Equal(Strip(File.ReadAllLines(off.EpochsCsv)), Strip(File.ReadAllLines(on.EpochsCsv)));

        var lines = File.ReadAllLines(on.DiagnosticsPath(run));
        var header = lines[0].Split(',');
        long steps = rowsOn[^1].Iterations;
        Assert.Equal(steps, lines.Length - 1);
        int step = Array.IndexOf(header, "step"), epoch = Array.IndexOf(header, "epoch");
        var values = lines.Skip(1).Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToList();
        Assert.Equal(Enumerable.Range(1, (int)steps).Select(i => (double)i), values.Select(v => v[step]));
        Assert.Equal(rowsOn[0].Iterations, values.Count(v => v[epoch] == 1));
        Assert.All(values, v => Assert.All(v, x => Assert.True(double.IsFinite(x))));
    }

    [Fact]
    public void Shards_logs_are_merged_with_their_results()
    {
        using var data = Synthetic.Dataset(train: 200, test: 30);
        var cfg = Config("diagnostics-merge") with { Seeds = [1, 2], Epochs = 1 };
        string dir = Synthetic.TempDir();
        string Run(string name, Shard shard)
        {
            string f = Path.Combine(dir, name);
            new ExperimentRunner(cfg, data, RunOutput.Open(f, cfg), CPU) { Shard = shard, DiagnosticsEvery = 5 }.Run();
            return f;
        }
        string a = Run("a", new Shard(1, 2)), b = Run("b", new Shard(2, 2));
        var merged = ResultMerger.Merge(Path.Combine(dir, "merged"), [a, b]);
        foreach (var run in cfg.Runs())
        {
            string shard = File.Exists(RunOutput.Existing(a).DiagnosticsPath(run)) ? a : b;
            Assert.Equal(File.ReadAllText(RunOutput.Existing(shard).DiagnosticsPath(run)), File.ReadAllText(merged.DiagnosticsPath(run)));
        }
    }

    /// <summary>epochs.csv's lines without the columns that hold times.</summary>
    static List<string> Strip(string[] lines)
    {
        var header = lines[0].Split(',');
        var keep = Enumerable.Range(0, header.Length).Where(i => header[i] is not ("epoch_seconds" or "finished_utc")).ToArray();
        return lines.Select(l => string.Join(',', keep.Select(i => l.Split(',')[i]))).ToList();
    }
}
