using SemiGan.Config;
using SemiGan.Experiments;
using SemiGan.Methods;
using SemiGan.Models;
using SemiGan.Results;
using SemiGan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Tests;

/// <summary>The methods' options and the pieces behind them, each against its definition.</summary>
public class MethodOptionsTests
{
    [Fact]
    public void Feature_matching_loss_is_the_mean_squared_gap_between_batch_mean_features()
    {
        // Real features (3 images x 2 dims): means (2, 3); fake (2 images): means (0.5, 5).
        using var real = tensor(new float[] { 1, 2, 2, 3, 3, 4 }, [3, 2]);
        using var fake = tensor(new float[] { 0, 4, 1, 6 }, [2, 2], requires_grad: true);
        using var loss = SganLosses.FeatureMatching(real, fake);
        // ((2 − 0.5)² + (3 − 5)²) / 2 = (2.25 + 4) / 2 = 3.125
        Assert.Equal(3.125, loss.item<float>(), 6);
        loss.backward();
        // d/dfake_ij = −2(m_real − m_fake)_j / (2 dims · 2 images) = −(m_real − m_fake)_j / 2: (−0.75, 1) for every fake row.
        Assert.Equal(new float[] { -0.75f, 1f, -0.75f, 1f }, fake.grad!.data<float>().ToArray());
    }

    [Fact]
    public void Feature_matching_step_matches_d_penultimate_features_of_the_real_batch_and_of_g_of_z()
    {
        // Learning rate 0, no dropout, no input noise: the step's only random draw is z, so its generator
        // loss can be recomputed from copies of the networks in training mode (batch statistics).
        var (images, labels) = Batch(8, 6);
        using var run = MethodSteps.Start("fm-gan", Implementation.Fast, settings: x => x with { LearningRate = 0, Dropout = 0 }, own: new FmGanOptions { Noise = false });
        using var dCopy = new Discriminator(KPlusOneHead.GanLogit, 0);
        using var gCopy = new Models.Generator(100);
        dCopy.load_state_dict(run.Classifier.state_dict()); gCopy.load_state_dict(MethodSteps.Network(run, "generator").state_dict());
        var step = new Step([0, 1, 2, 3, 4, 5, 6, 7], [0, 1], [0, 1]);
        torch.random.manual_seed(8);
        double logged = MethodSteps.Train(run, [step], images, labels).Losses[SganLosses.FeatureMatchingName]!.Value;

        torch.random.manual_seed(8);
        using var z = randn(8, 100);
        dCopy.train(); gCopy.train();
        using var _ = no_grad();
        using var real = dCopy.Features(images);
        using var fake = dCopy.Features(gCopy.forward(z));
        double expected = (real.mean([0]) - fake.mean([0])).square().mean().item<float>();
        Assert.True(expected > 1e-6);
        Assert.Equal(expected, logged, expected * 1e-4);
        // Against the features of the labeled images only (another batch), it would differ.
        using var labeledOnly = dCopy.Features(images[..2]);
        Assert.NotEqual(expected, (labeledOnly.mean([0]) - fake.mean([0])).square().mean().item<float>(), 3);
    }

    [Fact]
    public void Half_unsupervised_loss_is_half_the_sgan_one()
    {
        using var unl = tensor(new float[] { 1, -2, 0.5f, 3, 0, -1 }, [2, 3]);
        using var fake = tensor(new float[] { -1, 2, 0, 0.3f, 0.2f, -4 }, [2, 3]);
        // ½·softplus(−lse(unl)) + ½·softplus(lse(fake)), batch means, by hand in doubles.
        static double Lse(double[] r) => Math.Log(r.Sum(Math.Exp));
        static double Softplus(double v) => Math.Log(1 + Math.Exp(v));
        double[][] u = [[1, -2, 0.5], [3, 0, -1]], f = [[-1, 2, 0], [0.3, 0.2, -4]];
        double expected = 0.5 * u.Average(r => Softplus(-Lse(r))) + 0.5 * f.Average(r => Softplus(Lse(r)));
        Assert.Equal(expected, SganLosses.HalfUnsupervised(unl, fake, KPlusOneHead.GanLogit).item<float>(), 5);
    }

    [Fact]
    public void Weight_norm_layer_uses_g_times_v_over_its_row_norm()
    {
        torch.random.manual_seed(1);
        using var layer = new WeightNormLinear(4, 3);
        using (no_grad()) { layer.g.copy_(tensor(new float[] { 2, -0.5f, 1.5f })); layer.b.copy_(tensor(new float[] { 0.1f, 0, -0.2f })); }
        var v = layer.v.detach().to_type(ScalarType.Float64).data<double>().ToArray();
        double[] g = [2, -0.5, 1.5], b = [0.1, 0, -0.2];
        var w = new double[12];
        for (int i = 0; i < 3; i++)
        {
            double norm = Math.Sqrt(Enumerable.Range(0, 4).Sum(j => v[i * 4 + j] * v[i * 4 + j]));
            for (int j = 0; j < 4; j++) w[i * 4 + j] = g[i] * v[i * 4 + j] / norm;
        }
        Assert.Equal(w, layer.Weight().to_type(ScalarType.Float64).data<double>().ToArray(), (x, y) => Math.Abs(x - y) < 1e-6);
        double[] x = [0.5, -1, 2, 0.25];
        using var output = layer.forward(tensor(x.Select(e => (float)e).ToArray(), [1, 4]));
        for (int i = 0; i < 3; i++)
            Assert.Equal(Enumerable.Range(0, 4).Sum(j => w[i * 4 + j] * x[j]) + b[i], output[0, i].item<float>(), 5);
        // Scaling v leaves the weight unchanged: only its direction counts.
        using (no_grad()) layer.v.mul_(7);
        Assert.Equal(w, layer.Weight().to_type(ScalarType.Float64).data<double>().ToArray(), (p, q) => Math.Abs(p - q) < 1e-6);
    }

    [Fact]
    public void Weight_average_after_k_steps_matches_its_closed_form()
    {
        const double rate = 0.3; // large, so every step's weight shows
        torch.random.manual_seed(2);
        using var net = new MlpDiscriminator(KPlusOneHead.GanLogit, 0, new ImageShape(1, 2, 2, 3));
        using var average = new WeightAverage(net, rate);
        var first = net.parameters().First();
        var seen = new List<double[]>();
        for (int k = 0; k < 5; k++)
        {
            using (no_grad()) first.add_(randn_like(first)); // a stand-in for an optimizer step
            seen.Add(first.detach().to_type(ScalarType.Float64).data<double>().ToArray());
            average.Update();
        }
        // a_t = Σ_{i=1..t} rate (1 − rate)^{t−i} p_i, divided by 1 − (1 − rate)^t.
        int t = seen.Count;
        double correction = 1 - Math.Pow(1 - rate, t);
        var expected = Enumerable.Range(0, seen[0].Length)
            .Select(j => Enumerable.Range(1, t).Sum(i => rate * Math.Pow(1 - rate, t - i) * seen[i - 1][j]) / correction).ToArray();
        Assert.Equal(5, average.Steps);
        Assert.Equal(expected, average.Average(0).to_type(ScalarType.Float64).data<double>().ToArray(), (p, q) => Math.Abs(p - q) < 1e-5);
        // Swapped in for evaluation, then the live weights are back.
        var live = first.detach().clone();
        using (average.Swapped())
            Assert.Equal(expected, first.detach().to_type(ScalarType.Float64).data<double>().ToArray(), (p, q) => Math.Abs(p - q) < 1e-5);
        Assert.True(first.detach().allclose(live, rtol: 0, atol: 0));
    }

    [Theory]
    [InlineData("supervised", "streams")]
    [InlineData("fm-gan", "streams")]
    [InlineData("baseline", "masked")]
    public void A_method_with_ema_averages_once_per_optimizer_step_and_is_evaluated_on_the_average(string method, string protocol)
    {
        // Through MethodRun.Train, as a run trains: after each of the epoch's steps, the classifier's first
        // weight as the step left it; the evaluated weights must be the bias-corrected average of those left
        // by optimizer steps (under masked, a baseline step without labeled images is none).
        const double rate = 0.2;
        var (images, labels) = Batch(40, 9);
        var cfg = new ExperimentConfig
        {
            Name = "ema", Labels = [20], Seeds = [1], Epochs = 1, Protocol = [protocol], Methods = [method], BatchSize = 10,
            MethodSettings = new() { [method] = new() { Ema = rate } },
        }.Validated();
        using var run = cfg.MethodOf(method).Start(new MethodContext(cfg.Runs().Single(), cfg.SettingsOf(method), ImageShape.Default, CPU, Implementation.Fast));
        var weight = run.Classifier.parameters().First();
        var ticks = new List<double[]>();
        // The schedule, not the config, sets the labeled images: under masked 2 of 40, so some batches hold none.
        var schedule = new BatchSchedule(ProtocolNames.Parse(protocol), 40, protocol == "masked" ? [3, 17] : Enumerable.Range(0, 20).ToArray(), true, 10, seed: 1);
        run.Train(schedule.Data(1, images, labels, CPU, run.Needs, () => ticks.Add(weight.detach().to_type(ScalarType.Float64).data<double>().ToArray())));
        Assert.Equal(4, ticks.Count); // 40 images / batch 10
        var updated = schedule.Epoch(1).Select(s => method != "baseline" || s.Labeled.Length > 0).ToList();
        var seen = ticks.Where((_, i) => updated[i]).ToList();
        if (protocol == "masked") Assert.Equal(2, seen.Count); // 2 labeled images in 2 of the 4 batches (seed 1's shuffle)
        int t = seen.Count;
        Assert.NotEqual(seen[0], seen[^1]); // the steps moved the weight
        double correction = 1 - Math.Pow(1 - rate, t);
        var expected = Enumerable.Range(0, seen[0].Length)
            .Select(j => Enumerable.Range(1, t).Sum(i => rate * Math.Pow(1 - rate, t - i) * seen[i - 1][j]) / correction).ToArray();
        Assert.True(run.Averaged);
        using (run.Evaluated())
            Assert.Equal(expected, weight.detach().to_type(ScalarType.Float64).data<double>().ToArray(), (p, q) => Math.Abs(p - q) < 1e-5);
    }

    static (Tensor Images, Tensor Labels) Batch(int n, int seed)
    {
        torch.random.manual_seed(seed);
        return (rand(n, 1, 28, 28) * 2 - 1, randint(0, 10, n, dtype: ScalarType.Int64));
    }

    static Dictionary<string, Tensor> Stats(nn.Module m) =>
        m.named_buffers().ToDictionary(b => b.name, b => b.buffer.clone());

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void With_bn_stats_real_generated_batches_do_not_move_the_running_statistics(bool featureMatching, bool streams)
    {
        var (images, labels) = Batch(8, 3);
        // Dropout 0 and learning rate 0: the expected statistics below come from forward passes of their own.
        MethodRun Start(bool realOnly) => featureMatching
            ? MethodSteps.Start("fm-gan", Implementation.Fast, settings: x => x with { LearningRate = 0, Dropout = 0, Ema = 0 }, own: new FmGanOptions { Noise = false, BnStats = realOnly ? "real" : "all" })
            : MethodSteps.Start("sgan", Implementation.Fast, settings: x => x with { LearningRate = 0, Dropout = 0 }, own: new SganOptions { BnStats = realOnly ? "real" : "all" });
        using var runReal = Start(realOnly: true);
        using var runAll = Start(realOnly: false);
        var d = runReal.Classifier;
        var d2 = runAll.Classifier;
        using var initial = new Discriminator(KPlusOneHead.GanLogit, 0);
        initial.load_state_dict(d.state_dict());
        // masked: the labeled images are positions 0 and 1 of the real batch; streams: a labeled batch of its own.
        var step = streams ? new Step([0, 1, 2, 3, 4, 5, 6, 7], [2, 5], null) : new Step([0, 1, 2, 3, 4, 5, 6, 7], [0, 1], [0, 1]);
        var before = Stats(d);
        EpochLosses Train(Classifier net, bool realOnly)
        {
            torch.random.manual_seed(5);
            return MethodSteps.Train(realOnly ? runReal : runAll, [step], images, labels);
        }
        Train(d, realOnly: true);
        // Only D's passes on real images moved them, as plain train-mode forwards of them would (under streams
        // the labeled batch's, then the real batch's): not the generated batches, and not the generator's
        // update (feature matching's real-feature pass included).
        using var expected = new Discriminator(KPlusOneHead.GanLogit, 0);
        expected.load_state_dict(initial.state_dict());
        expected.train();
        using (no_grad())
        {
            if (streams) expected.forward(images.index_select(0, tensor(step.Labeled)));
            expected.forward(images);
        }
        foreach (var (name, buffer) in d.named_buffers().Where(b => b.name.Contains("running")))
            Assert.True(buffer.allclose(expected.named_buffers().First(b => b.name == name).buffer, rtol: 1e-4, atol: 1e-5), $"{name} moved by a pass other than D's on real images");
        // And without the option, generated batches move them (so the test above can tell).
        Train(d2, realOnly: false);
        Assert.Contains(d2.named_buffers().Where(b => b.name.EndsWith("running_mean")),
            b => !b.buffer.allclose(expected.named_buffers().First(e => e.name == b.name).buffer, rtol: 1e-4, atol: 1e-5));
        Assert.NotEmpty(before);
    }

    [Fact]
    public void Whole_batch_baseline_normalises_over_the_whole_batch_and_masks_the_loss()
    {
        var (images, labels) = Batch(10, 6);
        var step = new Step(Enumerable.Range(0, 10).Select(i => (long)i).ToArray(), [2, 7], [2, 7]);
        using var d0 = new Discriminator(KPlusOneHead.GanLogit, 0);
        (Dictionary<string, Tensor> Stats, double Loss) Train(bool wholeBatch)
        {
            using var run = MethodSteps.Start("baseline", Implementation.Fast, settings: x => x with { LearningRate = 0, Dropout = 0 },
                own: new BaselineOptions { Mask = wholeBatch ? "whole-batch" : "labeled-only" });
            d0.load_state_dict(run.Classifier.state_dict()); // the same initial weights both times (one seed)
            var losses = MethodSteps.Train(run, [step], images, labels);
            return (Stats(run.Classifier), losses.Losses["supervised"]!.Value);
        }
        var whole = Train(true);
        var only = Train(false);
        // The loss is the labeled images' cross-entropy either way (lr 0: the same weights) ...
        using var reference = new Discriminator(KPlusOneHead.GanLogit, 0);
        reference.load_state_dict(d0.state_dict());
        reference.train();
        using (no_grad())
        {
            var outAll = reference.forward(images);
            double expected = nn.functional.cross_entropy(outAll.index_select(0, tensor(new long[] { 2, 7 })), labels.index_select(0, tensor(new long[] { 2, 7 }))).item<float>();
            Assert.Equal(expected, whole.Loss, 5);
        }
        // ... but batch norm saw all 10 images (the reference's one forward above), not 2.
        foreach (var (name, buffer) in reference.named_buffers().Where(b => b.name.EndsWith("running_mean")))
        {
            Assert.True(whole.Stats[name].allclose(buffer, rtol: 1e-4, atol: 1e-6), name);
            Assert.False(only.Stats[name].allclose(buffer, rtol: 1e-4, atol: 1e-6), name);
        }
    }

    [Theory]
    [InlineData("""{ "baseline": { "mask": "half" } }""", "methodSettings.baseline.mask", "labeled-only, whole-batch")]
    [InlineData("""{ "sgan": { "mask": "whole-batch" } }""", "methodSettings.sgan.mask", "its options: method, displayName")]
    [InlineData("""{ "sgan": { "bnStats": "fake" } }""", "methodSettings.sgan.bnStats", "all, real")]
    [InlineData("""{ "fm-gan": { "bnStats": 1 } }""", "methodSettings.fm-gan.bnStats", "must be a string in quotes, one of all, real")]
    [InlineData("""{ "baseline": { "mask": true } }""", "methodSettings.baseline.mask", "must be a string in quotes, one of labeled-only, whole-batch")]
    [InlineData("""{ "sgan": { "architecture": 2 } }""", "methodSettings.sgan.architecture", "must be a string in quotes, one of cnn, mlp")]
    [InlineData("""{ "sgan": { "lrDecay": false } }""", "methodSettings.sgan.lrDecay", "must be a string in quotes, one of none, linear")]
    [InlineData("""{ "fm-gan": { "architecture": "mlp", "bnStats": "real" } }""", "methodSettings.fm-gan.bnStats", "set architecture to cnn")]
    [InlineData("""{ "fm-gan": { "ema": 1.5 } }""", "methodSettings.fm-gan.ema", "[0, 1)")]
    [InlineData("""{ "fm-gan": { "noise": "yes" } }""", "methodSettings.fm-gan.noise", "true or false")]
    [InlineData("""{ "supervised": { "noise": 1 } }""", "methodSettings.supervised.noise", "true or false")]
    [InlineData("""{ "fm-gan": { "architecture": "resnet" } }""", "methodSettings.fm-gan.architecture", "cnn, mlp")]
    [InlineData("""{ "fm-gan": { "lrDecay": "cosine" } }""", "methodSettings.fm-gan.lrDecay", "none, linear")]
    [InlineData("""{ "fm-gan": { "beta1": 1 } }""", "methodSettings.fm-gan.beta1", "[0, 1)")]
    [InlineData("""{ "sgan": { "beta2": -0.1 } }""", "methodSettings.sgan.beta2", "[0, 1)")]
    [InlineData("""{ "sgan": { "dropout": 1 } }""", "methodSettings.sgan.dropout", "[0, 1)")]
    [InlineData("""{ "sgan": { "learningRate": "fast" } }""", "methodSettings.sgan.learningRate", "a number")]
    [InlineData("""{ "supervised": { "weightDecay": -1 } }""", "methodSettings.supervised.weightDecay", "0 or positive")]
    [InlineData("""{ "supervised": { "learningRate": 0 } }""", "methodSettings.supervised.learningRate", "must be positive")]
    [InlineData("""{ "v": { "method": "vae" } }""", "methodSettings.v", "sgan")]
    [InlineData("""{ "sgan": { "speed": 2 } }""", "methodSettings.sgan.speed", "bnStats")]
    public void A_bad_option_is_one_line_naming_the_field_exit_2_and_nothing_written(string settings, string field, string allowed)
    {
        string dir = Synthetic.TempDir(), exp = Path.Combine(dir, "bad.json"), outDir = Path.Combine(dir, "out");
        string methods = settings.Contains("\"v\"") ? """["sgan", "v"]""" : """["sgan", "baseline", "supervised", "fm-gan"]""";
        File.WriteAllText(exp, $$"""{ "name": "x", "labels": 100, "seeds": [1], "epochs": 1, "methods": {{methods}}, "methodSettings": {{settings}} }""");
        Assert.Equal(2, CliTests.Run("run", exp, "--out", outDir));
        string error = CliTests.LastError.Trim();
        Assert.Single(error.Split('\n'));
        Assert.Contains(field, error);
        Assert.Contains(allowed, error);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void Fm_gan_with_the_softmax11_head_is_refused_naming_the_head()
    {
        string dir = Synthetic.TempDir(), exp = Path.Combine(dir, "bad.json"), outDir = Path.Combine(dir, "out");
        File.WriteAllText(exp, """{ "name": "x", "labels": 100, "seeds": [1], "epochs": 1, "head": ["gan_logit", "softmax11"], "methods": ["sgan", "fm"], "methodSettings": { "fm": { "method": "fm-gan" } } }""");
        Assert.Equal(2, CliTests.Run("run", exp, "--out", outDir));
        string error = CliTests.LastError.Trim();
        Assert.Single(error.Split('\n'));
        Assert.Contains("head: 'softmax11' cannot train fm (fm-gan is defined for gan_logit)", error);
        Assert.False(Directory.Exists(outDir));
        // The SGAN is defined for both heads.
        File.WriteAllText(exp, """{ "name": "x", "labels": 100, "seeds": [1], "epochs": 1, "head": ["gan_logit", "softmax11"], "methods": ["sgan"] }""");
        Assert.Equal(0, CliTests.Run("validate", exp));
    }

    [Theory]
    [InlineData("""[["sgan", "sgan"]]""")]
    [InlineData("""[["sgan"]]""")]
    [InlineData("""[["sgan", "supervised"]]""")]
    [InlineData("""[["sgan", "baseline"], ["sgan", "baseline"]]""")]
    public void A_bad_comparison_is_one_line_exit_2(string comparisons)
    {
        string dir = Synthetic.TempDir(), exp = Path.Combine(dir, "bad.json"), outDir = Path.Combine(dir, "out");
        File.WriteAllText(exp, $$"""{ "name": "x", "labels": 100, "seeds": [1], "epochs": 1, "comparisons": {{comparisons}} }""");
        Assert.Equal(2, CliTests.Run("run", exp, "--out", outDir));
        Assert.Single(CliTests.LastError.Trim().Split('\n'));
        Assert.Contains("comparisons", CliTests.LastError);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void Comparisons_give_one_paired_gain_per_pair_in_their_order()
    {
        var runs = new List<Reports.RunResult>();
        foreach (var (method, acc) in new[] { ("sgan", 0.96), ("baseline", 0.92), ("supervised", 0.955) })
            for (int seed = 1; seed <= 3; seed++)
                runs.Add(new Reports.RunResult("e", Training.RunSpec.Of(1000, "masked", "gan_logit", seed, method, "mnist"), 10, acc + seed * 0.001 * (method == "sgan" ? 2 : 1), acc, 0));
        var gains = Reports.Aggregation.Gains(runs, [("sgan", "supervised"), ("sgan", "baseline"), ("supervised", "baseline")]);
        Assert.Equal([("sgan", "supervised"), ("sgan", "baseline"), ("supervised", "baseline")], gains.Select(g => (g.Method, g.Reference)));
        // sgan − baseline per seed: 0.04 + 0.001·seed → mean 0.042.
        Assert.Equal(0.042, gains[1].Final.MeanDifference, 12);
        Assert.Equal(3, gains[1].Final.N);
    }

    [Fact]
    public void Resolved_settings_layer_entry_over_recipe_over_top_level_and_are_recorded()
    {
        var cfg = new ExperimentConfig
        {
            Name = "t", Labels = [100], Seeds = [1], Epochs = 9, LearningRate = 1e-4, Dropout = 0.2,
            Methods = ["sgan", "fm-gan", "fm-mlp", "baseline-wb"],
            MethodSettings = new()
            {
                ["fm-mlp"] = new() { Method = "fm-gan", Architecture = "mlp", LrDecay = "linear" },
                ["baseline-wb"] = new MethodOptions { Method = "baseline" }.WithOwn("mask", "whole-batch"),
            },
        }.Validated();
        Assert.Equal(1e-4, cfg.SettingsOf("sgan").LearningRate); // top level
        Assert.Equal(3e-3, cfg.SettingsOf("fm-gan").LearningRate); // recipe
        Assert.Equal(1e-4, cfg.SettingsOf("fm-gan").Ema);
        Assert.True(cfg.SettingsOf("fm-gan").OwnAs<FmGanOptions>().Noise);
        Assert.Equal(Architecture.Mlp, cfg.SettingsOf("fm-mlp").Architecture);
        Assert.Equal("whole-batch", cfg.SettingsOf("baseline-wb").OwnAs<BaselineOptions>().Mask);
        Assert.Equal("labeled-only", cfg.SettingsOf("baseline").OwnAs<BaselineOptions>().Mask);
        Assert.Equal("baseline", cfg.MethodOf("baseline-wb").Name);
        Assert.Equal("Walkthrough baseline (labeled images only) (baseline-wb)", cfg.DisplayName("baseline-wb"));
        // Linear decay: full rate for two thirds of 9 epochs, then down towards 0.
        var s = cfg.SettingsOf("fm-mlp");
        Assert.Equal([3e-3, 3e-3, 3e-3, 3e-3, 3e-3, 3e-3, 3e-3 * 3 * 3 / 9, 3e-3 * 3 * 2 / 9, 3e-3 * 3 * 1 / 9],
            Enumerable.Range(1, 9).Select(s.LearningRateAt), (p, q) => Math.Abs(p - q) < 1e-12);
        // config.json records every method's settings, resolved, and reads back to the same config.
        string json = cfg.ToJson();
        Assert.Contains("\"fm-gan\": {", json);
        Assert.Contains("\"mask\": \"whole-batch\"", json);
        Assert.Contains("\"bnStats\": \"all\"", json);
        // The MLP has neither dropout nor batch norm, so its resolved settings name neither; the CNN's do.
        var resolved = System.Text.Json.Nodes.JsonNode.Parse(json)!["methodSettings"]!;
        Assert.Null(resolved["fm-mlp"]!["dropout"]);
        Assert.Null(resolved["fm-mlp"]!["bnStats"]);
        Assert.Equal(0.2, resolved["fm-gan"]!["dropout"]!.GetValue<double>());
        Assert.Equal("all", resolved["fm-gan"]!["bnStats"]!.GetValue<string>());
        var path = Path.Combine(Synthetic.TempDir(), "config.json");
        File.WriteAllText(path, json);
        Assert.Equal(json, ExperimentConfig.Load(path).ToJson());
    }

    [Fact]
    public void A_folder_whose_config_json_resolved_the_mlp_with_dropout_and_bnStats_still_resumes()
    {
        // What fm-100's config.json holds: written before the MLP's resolved settings dropped the two fields.
        string dir = Synthetic.TempDir(), exp = Path.Combine(dir, "fm.json"), folder = Path.Combine(dir, "out");
        File.WriteAllText(exp, """{ "name": "fm", "labels": 100, "seeds": [1], "epochs": 2, "protocol": "streams", "methods": ["fm-gan"], "methodSettings": { "fm-gan": { "architecture": "mlp" } } }""");
        var config = ExperimentConfig.Load(exp);
        var old = System.Text.Json.Nodes.JsonNode.Parse(config.ToJson())!;
        var entry = old["methodSettings"]!["fm-gan"]!.AsObject();
        Assert.False(entry.ContainsKey("dropout")); // today's resolution
        entry["dropout"] = 0.3;
        entry["bnStats"] = "all";
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config.json"), old.ToJsonString());
        RunOutput.Check(folder, config); // throws "a different configuration" if the two no longer compare equal
        Assert.Equal(0, config.SettingsOf("fm-gan").Dropout);
    }

    [Theory]
    [InlineData("cnn")]
    [InlineData("mlp")]
    public void Fm_gan_and_every_variant_learn_from_the_same_initial_weights(string architecture)
    {
        using var data = Synthetic.Dataset(train: 400, test: 200);
        var cfg = new ExperimentConfig
        {
            Name = "fm", Labels = [100], Seeds = [1], Epochs = 2, Protocol = ["streams"], BatchSize = 50, SampleCount = 4, EvalBatchSize = 100,
            Methods = ["fm-gan", "supervised", "sgan-real"],
            MethodSettings = new()
            {
                ["fm-gan"] = new() { Architecture = architecture, Ema = 0.05 },
                ["supervised"] = new() { Architecture = architecture, LearningRate = 2e-3 },
                ["sgan-real"] = architecture == "mlp" ? new() { Method = "sgan", Architecture = architecture, LearningRate = 2e-3 }
                    : new MethodOptions { Method = "sgan", Architecture = architecture, LearningRate = 2e-3 }.WithOwn("bnStats", "real"),
            },
        }.Validated();
        var output = RunOutput.Open(Path.Combine(Synthetic.TempDir(), "run"), cfg);
        var rows = new ExperimentRunner(cfg, data, output, CPU).Run();
        Assert.Equal(3 * 2, rows.Count);
        foreach (var m in cfg.Methods)
        {
            var last = rows.Where(r => r.Run.Method == m).MaxBy(r => r.Epoch)!;
            Assert.True(last.TestAccuracy > 0.3, $"{m} ({architecture}): {last.TestAccuracy:P1} is not above chance (10%)");
        }
        Assert.All(rows.Where(r => r.Run.Method == "fm-gan"), r => Assert.NotNull(r.Losses[SganLosses.FeatureMatchingName]));
        // Same classifier weights at the seed, whatever the method.
        var weights = cfg.Methods.Select(m =>
        {
            using var run = cfg.MethodOf(m).Start(new MethodContext(cfg.Runs().First(r => r.Method == m), cfg.SettingsOf(m), ImageShape.Default, CPU, Implementation.Fast));
            Assert.Equal(architecture == "mlp" ? typeof(MlpDiscriminator) : typeof(Discriminator), run.Classifier.GetType());
            return run.Classifier.parameters().Select(p => p.detach().clone()).ToList();
        }).ToList();
        foreach (var other in weights.Skip(1))
            Assert.All(weights[0].Zip(other), pair => Assert.True(pair.First.allclose(pair.Second, rtol: 0, atol: 0)));
    }
}
