using SemiGan.Kernels;
using System.Globalization;
using SemiGan.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Training;

/// <param name="Difference">Absolute for a loss; ‖fast − reference‖ / ‖reference‖ for a tensor.</param>
/// <summary>The training steps methods are built from, each checked by <see cref="FastPathCheck"/>.</summary>
public enum TrainingStep { Sgan, Supervised, FeatureMatching }

/// <summary>One compared quantity: its name, how far fast and reference were apart, and the tolerance.</summary>
public sealed record FastPathComparison(string Quantity, double Difference, double Tolerance)
{
    public bool Agrees => Difference <= Tolerance; // false for NaN too
}

/// <summary>What the check found: every comparison, and the one closest to (or furthest past) its tolerance.</summary>
public sealed record FastPathVerdict(IReadOnlyList<FastPathComparison> Comparisons, double Seconds)
{
    public bool Agrees => Comparisons.All(c => c.Agrees);

    /// <summary>The comparison with the largest difference relative to its tolerance (NaN first).</summary>
    public FastPathComparison? Worst => Comparisons.MaxBy(c => double.IsNaN(c.Difference) ? double.PositiveInfinity : c.Difference / c.Tolerance);

    public string Describe()
    {
        if (Comparisons.Count == 0) return "fast path check: nothing to compare (no method of this experiment has a fast path: all use the MLP)";
        var w = Worst!;
        string figures = string.Create(CultureInfo.InvariantCulture, $"{w.Quantity} differs by {w.Difference:E1} (tolerance {w.Tolerance:E0})");
        return Agrees
            ? $"fast path check: fast and reference implementations agree ({Comparisons.Count} quantities; largest: {figures}; {Seconds:F1} s)"
            : $"fast path check: DISAGREES: {figures}";
    }
}

/// <summary>
/// The fast implementation is a second, hand-tuned computation of the same networks; its kernels (oneDNN's,
/// libtorch's, ours) are chosen per CPU and thread count, and one CPU's can compute something else (an
/// AMD Zen 5 did, for a 1x1 convolution's remainder channels on 2 threads). So before a run trains on it,
/// this check runs a few training steps of each method through both implementations from the same
/// randomised state, on the run's own device, thread count and batch size, and compares losses, gradients,
/// updated weights, batch-norm statistics and eval-mode outputs. Dropout is 0 here, so both draw the same
/// random numbers.
/// </summary>
public static class FastPathCheck
{
    // Forward values (losses, outputs, batch-norm statistics, weights): summation order alone moves them
    // by about 1e-6 relative, so they are held to the tolerances of FastPathTests.
    public const double LossTolerance = 1e-5, TensorTolerance = 1e-4;
    /// <summary>
    /// Gradients are not continuous: about one ReLU or LeakyReLU input in a million lies within float32
    /// rounding of 0, and which side it falls on flips its gradient, which then moves every gradient
    /// upstream. Measured against a float64 run of the same step, that alone moved whole gradient tensors
    /// by up to 9.4e-4 of their size in the fast implementation and 4.75e-3 in the reference at batch 100
    /// (each in a state where the other was at 1e-6), and by 1.4e-2 at batch 37. A kernel that computes
    /// something else is off by the size of what it gets wrong (the Zen 5 fault: whole output channels),
    /// and forward values, held to 1e-4, show it too.
    /// </summary>
    public const double GradientTolerance = 5e-2;
    const int Steps = 2;
    // The steps run at learning rate 0, so both implementations keep identical weights and every gradient
    // is compared from the same state: Adam's first updates are ±lr wherever |gradient| >> eps, so a
    // near-zero gradient whose sign differs in the 7th digit flips an update, and after one step the
    // networks differ by more than any kernel error would show. The optimizer is compared on its own,
    // from identical gradients (CompareAdam).
    const double StepLearningRate = 0, LearningRate = 2e-4;

    /// <summary>Runs the check for the SGAN step (one per head) and the supervised step, as a run would train them.</summary>
    public static FastPathVerdict Run(Device device, int batchSize, IEnumerable<KPlusOneHead> heads, int latentDim, bool sgan = true, bool baseline = true)
        => Run(device, batchSize, heads, latentDim, (sgan ? [TrainingStep.Sgan] : Array.Empty<TrainingStep>()).Concat(baseline ? [TrainingStep.Supervised] : []), ImageShape.Default);

    /// <summary>Runs the check for the given training steps (one per head): those of the methods a run trains.</summary>
    public static FastPathVerdict Run(Device device, int batchSize, IEnumerable<KPlusOneHead> heads, int latentDim, IEnumerable<TrainingStep> steps, ImageShape shape)
    {
        var list = steps.ToList();
        bool sgan = list.Contains(TrainingStep.Sgan), baseline = list.Contains(TrainingStep.Supervised), matching = list.Contains(TrainingStep.FeatureMatching);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var rng = torch.random.get_rng_state().clone(); // a copy: the check must not shift the run's random stream
        try
        {
            var all = new List<FastPathComparison>();
            foreach (var head in heads.Distinct())
            {
                if (sgan) all.AddRange(CompareGan(device, batchSize, head, latentDim, shape, featureMatching: false));
                if (matching) all.AddRange(CompareGan(device, batchSize, head, latentDim, shape, featureMatching: true));
                // Under the masked protocol the supervised step gets a batch's few labeled images: check a small odd batch too.
                if (baseline)
                    foreach (int b in new[] { batchSize, Math.Min(batchSize, 3) }.Distinct())
                        all.AddRange(CompareBaseline(device, b, head, shape));
            }
            return new FastPathVerdict(all, clock.Elapsed.TotalSeconds);
        }
        finally { torch.random.set_rng_state(rng); }
    }

    /// <summary>One implementation's steps: named results (losses as 0-d tensors, gradients, weights, buffers, eval outputs) and its networks.</summary>
    sealed record Outcome(Dictionary<string, Tensor> Values, List<nn.Module> Networks);

    /// <summary>The SGAN step on masked-protocol steps, or the feature-matching step (input noise on) on streams-protocol ones.</summary>
    static List<FastPathComparison> CompareGan(Device device, int batchSize, KPlusOneHead head, int latentDim, ImageShape shape, bool featureMatching)
    {
        using var scope = NewDisposeScope();
        var (images, labels) = Data(device, batchSize, shape);
        // Masked-protocol steps: a few labeled images inside each real batch; streams: a separate labeled batch.
        long[] positions = Enumerable.Range(0, Math.Min(batchSize, 3)).Select(i => (long)i).ToArray();
        var steps = Enumerable.Range(0, Steps).Select(s =>
        {
            long[] real = Enumerable.Range(s * batchSize, batchSize).Select(i => (long)i).ToArray();
            return featureMatching
                ? new Step(real, Enumerable.Range(((s + 1) % Steps) * batchSize, batchSize).Select(i => (long)i).ToArray(), null)
                : new Step(real, positions.Select(p => real[p]).ToArray(), positions);
        }).ToList();
        torch.random.manual_seed(7);
        using var d0 = Randomised(new Discriminator(head, 0.0, Implementation.Fast, shape));
        using var g0 = Randomised(new Models.Generator(latentDim, Implementation.Fast, shape));
        var zEval = randn(batchSize, latentDim).to(device);

        Outcome Train(Implementation impl)
        {
            var d = new Discriminator(head, 0.0, impl, shape);
            var g = new Models.Generator(latentDim, impl, shape);
            d.load_state_dict(d0.state_dict());
            g.load_state_dict(g0.state_dict());
            d.to(device); g.to(device);
            torch.random.manual_seed(8); // the same latent vectors (and input noise) for all
            EpochLosses losses;
            if (featureMatching)
                using (var fm = new FeatureMatchingTrainer(d, g, head, StepLearningRate, 0.5, 0.999, device, impl, 0, false, 0.6))
                    losses = fm.TrainEpoch(steps, images, labels);
            else
                using (var trainer = new SganTrainer(d, g, head, StepLearningRate, 0.5, 0.999, device, impl))
                    losses = trainer.TrainEpoch(steps, images, labels);
            var values = Losses(losses);
            // D's gradients are not compared: the reference path adds the generator update's to them by design.
            Record(values, "generator", g, gradients: true);
            Record(values, "discriminator", d, gradients: false);
            using (no_grad())
            {
                d.eval(); g.eval();
                values["discriminator eval output"] = d.forward(images.narrow(0, 0, batchSize));
                values["generator eval output"] = g.forward(zEval);
            }
            return new(values, [d, g]);
        }
        return Compare($"{(featureMatching ? "feature-matching" : "SGAN")} step ({head.Name()}, batch {batchSize})", ["discriminator", "generator"], Train);
    }

    static List<FastPathComparison> CompareBaseline(Device device, int batchSize, KPlusOneHead head, ImageShape shape)
    {
        using var scope = NewDisposeScope();
        var (images, labels) = Data(device, batchSize, shape);
        var steps = Enumerable.Range(0, Steps).Select(s =>
            new Step([], Enumerable.Range(s * batchSize, batchSize).Select(i => (long)i).ToArray(), null)).ToList();
        torch.random.manual_seed(9);
        using var d0 = Randomised(new Discriminator(head, 0.0, Implementation.Fast, shape));

        Outcome Train(Implementation impl)
        {
            var d = new Discriminator(head, 0.0, impl, shape);
            d.load_state_dict(d0.state_dict());
            d.to(device);
            using var trainer = new BaselineTrainer(d, StepLearningRate, 0.5, 0.999, device, impl);
            var losses = trainer.TrainEpoch(steps, images, labels);
            var values = Losses(losses);
            Record(values, "discriminator", d, gradients: true);
            using (no_grad())
            {
                d.eval();
                values["eval output"] = d.forward(images.narrow(0, 0, batchSize));
            }
            return new(values, [d]);
        }
        return Compare($"supervised step ({head.Name()}, batch {batchSize})", ["discriminator"], Train);
    }

    static Dictionary<string, Tensor> Losses(EpochLosses losses) =>
        losses.Losses.Items.ToDictionary(l => $"{l.Name} loss", l => tensor(l.Value ?? double.NaN));

    /// <summary>Last-step gradients (optional), then parameters and buffers (batch-norm running statistics and counts).</summary>
    static void Record(Dictionary<string, Tensor> values, string network, nn.Module module, bool gradients)
    {
        foreach (var (name, p) in module.named_parameters())
        {
            if (gradients) values[$"{network} {name} gradient"] = p.grad?.clone() ?? tensor(double.NaN);
            values[$"{network} {name}"] = p.detach().clone();
        }
        foreach (var (name, b) in module.named_buffers()) values[$"{network} {name}"] = b.clone();
    }

    /// <summary>Fast vs reference for every recorded value; then each network's optimizer.</summary>
    static List<FastPathComparison> Compare(string tag, string[] networks, Func<Implementation, Outcome> train)
    {
        var fast = train(Implementation.Fast);
        var reference = train(Implementation.Reference);
        var list = new List<FastPathComparison>();
        foreach (var (name, r) in reference.Values)
        {
            bool loss = r.dim() == 0;
            double tolerance = loss ? LossTolerance : name.EndsWith(" gradient", StringComparison.Ordinal) ? GradientTolerance : TensorTolerance;
            list.Add(new($"{tag}: {name}", Difference(fast.Values[name], r, absolute: loss), tolerance));
        }
        for (int i = 0; i < networks.Length; i++)
            list.AddRange(CompareAdam($"{tag}: {networks[i]}", fast.Networks[i], reference.Networks[i]));
        foreach (var m in fast.Networks.Concat(reference.Networks)) m.Dispose();
        return list;
    }

    /// <summary>|a − b| for a loss; ‖a − b‖ / ‖b‖ for a tensor (in float64; NaN when either is missing).</summary>
    static double Difference(Tensor a, Tensor b, bool absolute)
    {
        using var scope = NewDisposeScope();
        var (x, y) = (a.to_type(ScalarType.Float64), b.to_type(ScalarType.Float64));
        double gap = (x - y).norm().item<double>();
        return absolute ? gap : gap / Math.Max(y.norm().item<double>(), 1e-12);
    }

    /// <summary>
    /// Each implementation's optimizer (the fast one-pass Adam, TorchSharp's) takes three steps on its own
    /// copy of the reference network's weights, with the same gradients (the reference's last ones, scaled
    /// per step); the weights after each step are compared.
    /// </summary>
    static IEnumerable<FastPathComparison> CompareAdam(string tag, nn.Module fast, nn.Module reference)
    {
        using var scope = NewDisposeScope();
        var start = reference.parameters().Select(p => p.detach().clone()).ToList();
        var grads = reference.parameters().Select(p => p.grad?.clone() ?? zeros_like(p)).ToList();
        var weights = new[] { Implementation.Fast, Implementation.Reference }.Select(impl =>
        {
            var ps = start.Select(w => new TorchSharp.Modules.Parameter(w.clone())).ToList();
            using var opt = Adam.For(impl, ps, LearningRate, 0.5, 0.999);
            var after = new List<Tensor[]>();
            for (int step = 1; step <= 3; step++)
            {
                foreach (var (p, g) in ps.Zip(grads)) p.grad = g * step;
                opt.step();
                after.Add(ps.Select(p => p.detach().clone()).ToArray());
            }
            return after;
        }).ToArray();
        var names = fast.named_parameters().Select(p => p.name).ToList();
        var list = new List<FastPathComparison>();
        for (int step = 0; step < 3; step++)
            for (int i = 0; i < names.Count; i++)
                list.Add(new($"{tag} {names[i]} after Adam step {step + 1}", Difference(weights[0][step][i], weights[1][step][i], absolute: false), TensorTolerance));
        return list;
    }

    /// <summary>Images in [-1,1] and labels for <see cref="Steps"/> batches.</summary>
    static (Tensor Images, Tensor Labels) Data(Device device, int batchSize, ImageShape shape)
    {
        torch.random.manual_seed(6);
        return ((rand([Steps * batchSize, shape.Channels, shape.Height, shape.Width]) * 2 - 1).to(device),
            randint(0, shape.Classes, Steps * batchSize, dtype: ScalarType.Int64).to(device));
    }

    /// <summary>
    /// Fresh weights hide bias and batch-norm handling (biases 0, scales 1, statistics 0 and 1): move every
    /// bias, batch-norm affine parameter and running statistic away from its initial value.
    /// </summary>
    public static T Randomised<T>(T module) where T : nn.Module
    {
        using var _ = no_grad();
        foreach (var (name, p) in module.named_parameters())
            if (p.dim() == 1) p.add_(randn_like(p) * 0.1);
        foreach (var (name, b) in module.named_buffers())
        {
            if (name.EndsWith("running_mean", StringComparison.Ordinal)) b.add_(randn_like(b) * 0.1);
            else if (name.EndsWith("running_var", StringComparison.Ordinal)) b.mul_(rand_like(b) + 0.5);
        }
        return module;
    }
}

/// <summary>--fast-path: check and fall back (auto), check and stop on a disagreement (require), or skip the fast path.</summary>
public enum FastPathMode { Auto, Require, Reference }

/// <summary>The fast path disagreed with the reference under <see cref="FastPathMode.Require"/>.</summary>
public sealed class FastPathMismatchException(string message) : Exception(message);

/// <summary>Which implementation a run trains on, and the check behind that choice.</summary>
public sealed record FastPathChoice(Implementation Implementation, FastPathVerdict? Verdict)
{
    /// <summary>Runs the check (unless told to use the reference) and logs its one line.</summary>
    public static FastPathChoice Make(FastPathMode mode, Func<FastPathVerdict> check, Action<string> log)
    {
        if (mode == FastPathMode.Reference)
        {
            log("fast path: not used (--fast-path reference); training on the reference implementation");
            return new(Implementation.Reference, null);
        }
        var verdict = check();
        if (verdict.Agrees)
        {
            log(verdict.Describe());
            return new(Implementation.Fast, verdict);
        }
        if (mode == FastPathMode.Require)
            throw new FastPathMismatchException($"{verdict.Describe()}; stopping (--fast-path require). Run without it to train on the reference implementation.");
        log($"{verdict.Describe()}; training on the reference implementation instead (slower, same networks)");
        return new(Implementation.Reference, verdict);
    }
}
