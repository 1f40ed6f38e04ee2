using SemiGan.Methods;
using SemiGan.Models;
using SemiGan.Training;
using static TorchSharp.torch;

namespace SemiGan.Tests;

/// <summary>VAT's perturbation, KL and entropy against their definitions, and its step through the harness.</summary>
public class VatTests
{
    static double[] Softmax(double[] l) { var e = l.Select(v => Math.Exp(v - l.Max())).ToArray(); return e.Select(v => v / e.Sum()).ToArray(); }

    static double Kl(double[] p, double[] logitsQ)
    {
        var q = Softmax(logitsQ);
        return p.Zip(q).Sum(t => t.First * (Math.Log(t.First) - Math.Log(t.Second)));
    }

    /// <summary>A 10-class linear layer on 4-dimensional inputs: its weights, bias and 3 inputs, in doubles.</summary>
    static (double[,] W, double[] B, double[][] X, double[][] D) LinearModel()
    {
        var rng = new Random(5);
        double N() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var w = new double[10, 4];
        for (int k = 0; k < 10; k++) for (int j = 0; j < 4; j++) w[k, j] = N();
        var b = Enumerable.Range(0, 10).Select(_ => N()).ToArray();
        var x = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, 4).Select(_ => N()).ToArray()).ToArray();
        var d = Enumerable.Range(0, 3).Select(_ =>
        {
            var v = Enumerable.Range(0, 4).Select(_ => N()).ToArray();
            double n = Math.Sqrt(v.Sum(e => e * e));
            return v.Select(e => e / n).ToArray();
        }).ToArray();
        return (w, b, x, d);
    }

    static double[] Logits(double[,] w, double[] b, double[] x) =>
        Enumerable.Range(0, 10).Select(k => b[k] + Enumerable.Range(0, 4).Sum(j => w[k, j] * x[j])).ToArray();

    static Tensor Rows(double[][] rows, ScalarType type) => tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length]).to_type(type);

    static Tensor PerturbationOf(double[,] w, double[] b, double[][] x, double[][] d, double xi, double epsilon, ScalarType type)
    {
        var wt = tensor(w.Cast<double>().ToArray(), [10, 4]).to_type(type);
        var bt = tensor(b).to_type(type);
        Tensor F(Tensor t) => t.matmul(wt.t()) + bt;
        var xt = Rows(x, type);
        var logP = nn.functional.log_softmax(F(xt), 1);
        return Vat.Perturbation(F, xt, logP, Rows(d, type), xi, epsilon);
    }

    [Fact]
    public void The_adversarial_perturbation_follows_the_KL_gradient_at_xi_d_as_central_differences_estimate_it()
    {
        var (w, b, x, d) = LinearModel();
        const double xi = 0.1, epsilon = 2, h = 1e-5;
        foreach (var type in new[] { ScalarType.Float64, ScalarType.Float32 })
        {
            using var scope = NewDisposeScope();
            var rAdv = PerturbationOf(w, b, x, d, xi, epsilon, type).to_type(ScalarType.Float64);
            for (int i = 0; i < 3; i++)
            {
                var p = Softmax(Logits(w, b, x[i]));
                double KlAt(double[] r) => Kl(p, Logits(w, b, x[i].Zip(r, (a, c) => a + c).ToArray()));
                var g = Enumerable.Range(0, 4).Select(j =>
                {
                    var (up, down) = (d[i].Select(v => xi * v).ToArray(), d[i].Select(v => xi * v).ToArray());
                    up[j] += h; down[j] -= h;
                    return (KlAt(up) - KlAt(down)) / (2 * h);
                }).ToArray();
                double norm = Math.Sqrt(g.Sum(v => v * v));
                Assert.True(norm > 1e-3); // a gradient worth comparing, not rounding
                var got = rAdv[i].data<double>().ToArray();
                // Central differences are exact to O(h²) ≈ 1e-10 here; float32 holds the direction to ~1e-6.
                double tolerance = type == ScalarType.Float64 ? 1e-8 : 1e-5;
                for (int j = 0; j < 4; j++) Assert.Equal(epsilon * g[j] / norm, got[j], tolerance);
                Assert.Equal(epsilon, Math.Sqrt(got.Sum(v => v * v)), tolerance);
                // Not the probe itself: the gradient turned it.
                Assert.True(Math.Abs(got.Zip(d[i], (a, c) => a * c).Sum()) / epsilon < 0.99);
            }
        }
    }

    [Fact]
    public void With_a_small_xi_one_power_iteration_is_the_Hessian_times_the_probe()
    {
        // For a linear model the KL's Hessian in r at 0 is Wᵀ(diag p − p pᵀ)W, and its gradient at ξd is ξ·H·d + O(ξ²).
        var (w, b, x, d) = LinearModel();
        using var rAdv = PerturbationOf(w, b, x, d, 1e-6, 1, ScalarType.Float64);
        for (int i = 0; i < 3; i++)
        {
            var p = Softmax(Logits(w, b, x[i]));
            var wd = Enumerable.Range(0, 10).Select(k => Enumerable.Range(0, 4).Sum(j => w[k, j] * d[i][j])).ToArray();
            double pwd = p.Zip(wd).Sum(t => t.First * t.Second);
            var hd = Enumerable.Range(0, 4).Select(j => Enumerable.Range(0, 10).Sum(k => w[k, j] * p[k] * (wd[k] - pwd))).ToArray();
            double norm = Math.Sqrt(hd.Sum(v => v * v));
            for (int j = 0; j < 4; j++) Assert.Equal(hd[j] / norm, rAdv[i, j].item<double>(), 1e-5);
        }
    }

    [Fact]
    public void The_default_xi_gives_the_float64_direction_on_the_CNN_where_the_papers_1e_6_gives_noise()
    {
        // Pixels at −1 (a digit's background in this harness's units) round a 1e-6 probe away in float32.
        random.manual_seed(3);
        var images = full(8, 1, 28, 28, -1f);
        images[.., .., 8..20, 8..20] = rand(8, 1, 12, 12) * 2 - 1;
        var d32 = Architectures.Classifier(Architecture.Cnn, KPlusOneHead.GanLogit, 0, 0, Implementation.Reference, ImageShape.Default);
        var d64 = Architectures.Classifier(Architecture.Cnn, KPlusOneHead.GanLogit, 0, 0, Implementation.Reference, ImageShape.Default);
        d64.load_state_dict(d32.state_dict());
        TorchSharp.ModuleExtensionMethods.to((nn.Module)d64, ScalarType.Float64);
        var probe = Vat.RandomUnit(images);
        Tensor Direction(Classifier c, ScalarType type, double xi)
        {
            var x = images.to_type(type);
            var logP = nn.functional.log_softmax(c.forward(x).detach(), 1);
            return Vat.Perturbation(c.forward, x, logP, probe.to_type(type), xi, 1).to_type(ScalarType.Float64);
        }
        var truth = Direction(d64, ScalarType.Float64, 1e-6);
        double Cosine(double xi) => (Direction(d32, ScalarType.Float32, xi) * truth).sum([1, 2, 3]).min().item<double>();
        Assert.True(Cosine(new VatOptions().Xi) > 0.99);
        Assert.True(Cosine(1e-6) < 0.5);
    }

    [Fact]
    public void The_VAT_loss_is_the_batch_mean_of_KL_from_the_constant_clean_prediction()
    {
        double[][] clean = [[2, 0, -1], [0.5, 0.5, 0.1]], perturbed = [[1, 0.3, -1], [0, 1, 0.2]];
        using var logitsQ = Rows(perturbed, ScalarType.Float32).requires_grad_(true);
        using var logP = nn.functional.log_softmax(Rows(clean, ScalarType.Float32), 1);
        var loss = Vat.Kl(logP, logitsQ);
        double expected = (Kl(Softmax(clean[0]), perturbed[0]) + Kl(Softmax(clean[1]), perturbed[1])) / 2;
        Assert.Equal(expected, loss.item<float>(), 1e-6);
        // p is a constant: the gradient is KL's in q's logits alone, (q − p) / N.
        loss.backward();
        for (int i = 0; i < 2; i++)
            for (int k = 0; k < 3; k++)
                Assert.Equal((Softmax(perturbed[i])[k] - Softmax(clean[i])[k]) / 2, logitsQ.grad![i, k].item<float>(), 1e-6);
        Assert.Equal(0, Vat.Kl(logP, Rows(clean, ScalarType.Float32)).item<float>(), 1e-6);
    }

    [Fact]
    public void The_entropy_term_is_the_batch_mean_of_the_predictions_entropy()
    {
        double[][] l = [[3, 0, 0], [0, 0, 0], [1, -2, 0.5]];
        using var logits = Rows(l, ScalarType.Float32);
        double expected = l.Sum(r => -Softmax(r).Sum(p => p * Math.Log(p))) / 3;
        Assert.Equal(expected, Vat.Entropy(logits).item<float>(), 1e-6);
        Assert.Equal(Math.Log(3), Vat.Entropy(logits[1..2]).item<float>(), 1e-6); // uniform: log K
    }

    [Fact]
    public void Each_image_is_scaled_to_unit_norm_and_a_zero_one_stays_zero()
    {
        using var v = tensor(new float[] { 3, 4, 0, 0, 0, 0, 0, 0, 1e-20f, 0, 0, 0 }, [3, 1, 2, 2]);
        var u = Vat.UnitPerImage(v);
        Assert.Equal([0.6f, 0.8f, 0, 0], u[0].flatten().data<float>().ToArray());
        Assert.All(u[1].flatten().data<float>().ToArray(), e => Assert.Equal(0f, e));
        Assert.Equal(1f, u[2].norm().item<float>(), 6); // a tiny gradient does not underflow
    }

    static (Tensor Images, Tensor Labels, List<Step> Steps) Synthetic()
    {
        random.manual_seed(2);
        var images = rand(60, 1, 28, 28) * 2 - 1;
        var labels = randint(0, 10, 60, dtype: ScalarType.Int64);
        var steps = Enumerable.Range(0, 3).Select(s => new Step(Enumerable.Range(s * 10, 10).Select(i => (long)i).ToArray(),
            Enumerable.Range(30 + s * 10, 10).Select(i => (long)i).ToArray(), null)).ToList();
        return (images, labels, steps);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_step_takes_the_supervised_and_VAT_losses_on_full_labeled_batches_and_the_unlabeled_batch(bool entMin)
    {
        var (images, labels, steps) = Synthetic();
        using var run = MethodSteps.Start("vat", Implementation.Fast, protocol: Protocol.Streams, own: new VatOptions { EntMin = entMin });
        Assert.Equal(LabeledSource.FullBatches, run.Needs.Labeled);
        var losses = MethodSteps.Train(run, steps, images, labels);
        Assert.Equal(3, losses.Steps);
        Assert.Equal(30, losses.RealImages);
        Assert.Null(losses.NonFinite());
        Assert.True(losses.Losses[SganLosses.SupervisedName] > 0);
        Assert.True(losses.Losses[Vat.VatLossName] > 0);
        Assert.Equal(entMin, losses.Losses.Names.Contains(Vat.EntropyName));
        if (entMin) Assert.True(losses.Losses[Vat.EntropyName] > 0);
    }

    [Fact]
    public void The_perturbed_passes_reuse_the_clean_pass_dropout_masks()
    {
        // With ε = 0 the perturbed pass is the clean pass again: KL 0 exactly only if dropout drew the same masks.
        var (images, labels, steps) = Synthetic();
        using var run = MethodSteps.Start("vat", Implementation.Fast, protocol: Protocol.Streams, own: new VatOptions { Epsilon = 0 },
            settings: s => s with { Dropout = 0.5 });
        var losses = MethodSteps.Train(run, steps, images, labels);
        Assert.Equal(0, losses.Losses[Vat.VatLossName]!.Value, 1e-7);
    }

    [Fact]
    public void Only_the_labeled_and_clean_unlabeled_passes_move_batch_norms_running_statistics()
    {
        var (images, labels, steps) = Synthetic();
        using var run = MethodSteps.Start("vat", Implementation.Fast, protocol: Protocol.Streams, settings: s => s with { Dropout = 0 });
        using var twin = MethodSteps.Start("vat", Implementation.Fast, protocol: Protocol.Streams, settings: s => s with { Dropout = 0 });
        MethodSteps.Train(run, steps.Take(1), images, labels);
        var d = (Classifier)MethodSteps.Network(twin, "discriminator");
        d.train();
        using (no_grad())
        {
            d.forward(images.index_select(0, tensor(steps[0].Labeled)));
            d.forward(images.index_select(0, tensor(steps[0].Real)));
        }
        var moved = MethodSteps.Network(run, "discriminator").named_buffers().ToDictionary(b => b.name, b => b.buffer);
        foreach (var (name, buffer) in d.named_buffers())
            Assert.True(moved[name].allclose(buffer, 1e-5, 1e-6), name);
    }
}
