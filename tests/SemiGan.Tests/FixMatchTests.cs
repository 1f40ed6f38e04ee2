using SemiGan.Methods;
using SemiGan.Models;
using SemiGan.Training;
using static TorchSharp.torch;

namespace SemiGan.Tests;

/// <summary>FixMatch's losses against their definitions, its mask at τ, and its step through the harness.</summary>
public class FixMatchTests
{
    static double[] Softmax(double[] r) { double m = r.Max(); var e = r.Select(x => Math.Exp(x - m)).ToArray(); return e.Select(x => x / e.Sum()).ToArray(); }
    static double CrossEntropy(double[] logits, int target) => -Math.Log(Softmax(logits)[target]);
    static int ArgMax(double[] r) => Array.IndexOf(r, r.Max());
    static double[] Row(float[,] m, int i) => Enumerable.Range(0, m.GetLength(1)).Select(j => (double)m[i, j]).ToArray();

    [Fact]
    public void The_mask_keeps_a_confidence_of_exactly_tau_in_float32_and_drops_the_next_float_below()
    {
        // Rows (a, 0, −100, …, −100) of ten logits: e^−100 underflows to 0 in float32, so the max softmax is
        // 1 / (1 + e^−a), 0.95 at a = ln 19. Search float32 values of a around it for a row whose float32 softmax is
        // exactly float32(0.95), and for the largest value below it that such a row reaches (softmax divides by a sum
        // in [1, 2), whose float32 spacing is about two of the quotient's there, so not every float below is reached).
        const float tau = 0.95f;
        int start = BitConverter.SingleToInt32Bits(MathF.Log(19)) - 2000;
        var a = Enumerable.Range(0, 4001).Select(k => BitConverter.Int32BitsToSingle(start + k)).ToArray();
        Tensor Rows(IReadOnlyList<float> first)
        {
            var rows = full(first.Count, 10, -100f);
            rows.select(1, 0).copy_(tensor(first.ToArray()));
            rows.select(1, 1).fill_(0);
            return rows;
        }
        var p = nn.functional.softmax(Rows(a), 1).select(1, 0).data<float>().ToArray();
        int at = Array.IndexOf(p, tau);
        float below = p.Where(x => x < tau).Max();
        int under = Array.IndexOf(p, below);
        Assert.True(at >= 0, "no float32 logit gives a softmax of exactly 0.95");
        Assert.InRange(BitConverter.SingleToInt32Bits(tau) - BitConverter.SingleToInt32Bits(below), 1, 2); // one or two float32 steps below

        var weak = Rows([a[at], a[under]]);
        Assert.Equal([tau, below], nn.functional.softmax(weak, 1).select(1, 0).data<float>().ToArray()); // the rows as the loss sees them
        var strong = tensor(new float[] { 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 3, 1, 0, 0, 0, 0, 0, 0, 0, 0 }, [2, 10]);
        var (loss, rate) = FixMatch.Unlabeled(weak, strong, new FixMatchOptions().Threshold);
        Assert.Equal(0.5f, rate.item<float>());
        // Only the first row counts (target 0, the weak argmax), averaged over both rows.
        Assert.Equal(CrossEntropy([1, 2, 0, 0, 0, 0, 0, 0, 0, 0], 0) / 2, loss.item<float>(), 1e-6);
    }

    // Two labeled rows, then three weak and three strong unlabeled rows, K = 3. Weak row 0 is confident (argmax 0)
    // and its strong view prefers class 1; weak row 1 is unsure; weak row 2 is confident (argmax 2).
    static readonly float[,] Output =
    {
        { 2, 0, -1 }, { 0.5f, 0.2f, 1 },                  // labeled: labels 0 and 1
        { 4, 0, 0 }, { 0.3f, 0.2f, 0 }, { 0, -1, 5 },      // weak
        { 0.5f, 1.5f, 0 }, { 2, 0, 0 }, { -1, 0.5f, 1 },   // strong
    };
    static readonly long[] LabelValues = [0, 1];
    const double Tau = 0.9;

    static (double Supervised, double Unlabeled, double Rate) Expected()
    {
        double supervised = (CrossEntropy(Row(Output, 0), 0) + CrossEntropy(Row(Output, 1), 1)) / 2;
        double unlabeled = 0, kept = 0;
        for (int i = 0; i < 3; i++)
        {
            var weak = Row(Output, 2 + i);
            if (Softmax(weak).Max() < Tau) continue;
            kept++;
            unlabeled += CrossEntropy(Row(Output, 5 + i), ArgMax(weak));
        }
        return (supervised, unlabeled / 3, kept / 3);
    }

    static Tensor OutputTensor(KPlusOneHead head)
    {
        var values = Enumerable.Range(0, 8).SelectMany(i => Row(Output, i).Select(v => (float)v).Concat(head == KPlusOneHead.GanLogit ? [] : [0.7f * i - 2])).ToArray();
        return tensor(values, [8, head == KPlusOneHead.GanLogit ? 3 : 4], requires_grad: true);
    }

    [Theory]
    [InlineData(KPlusOneHead.GanLogit)]
    [InlineData(KPlusOneHead.Softmax11)]
    public void The_losses_are_labeled_cross_entropy_and_strong_cross_entropy_against_confident_weak_argmaxes_over_all_unlabeled_images(KPlusOneHead head)
    {
        var (supervised, unlabeled, rate) = FixMatch.Losses(OutputTensor(head), tensor(LabelValues), head, Tau);
        var expected = Expected();
        Assert.Equal(2 / 3.0, expected.Rate, 12); // the batch exercises both sides of the mask
        // float32 against doubles: within a few units of float32's last place.
        Assert.Equal(expected.Supervised, supervised.item<float>(), 1e-6);
        Assert.Equal(expected.Unlabeled, unlabeled.item<float>(), 1e-6);
        Assert.Equal(expected.Rate, rate.item<float>(), 1e-7);
        // Had the strong view labeled itself, the first unlabeled image's target would be 1, not 0: a different loss.
        Assert.NotEqual(CrossEntropy(Row(Output, 5), 0), CrossEntropy(Row(Output, 5), 1), 3);
    }

    [Fact]
    public void The_pseudo_labels_carry_no_gradient_to_the_weak_view()
    {
        var output = OutputTensor(KPlusOneHead.GanLogit);
        var (supervised, unlabeled, _) = FixMatch.Losses(output, tensor(LabelValues), KPlusOneHead.GanLogit, Tau);
        const double lambda = 2;
        (supervised + lambda * unlabeled).backward();
        var grad = output.grad!;
        // Cross-entropy's gradient, softmax − onehot(target), over each loss's row count; nothing on the weak rows.
        for (int i = 0; i < 8; i++)
        {
            var row = Row(Output, i);
            double[] expected = new double[3];
            int target = i < 2 ? (int)LabelValues[i] : i >= 5 && Softmax(Row(Output, i - 3)).Max() >= Tau ? ArgMax(Row(Output, i - 3)) : -1;
            if (target >= 0)
            {
                var p = Softmax(row);
                double scale = i < 2 ? 1 / 2.0 : lambda / 3;
                for (int k = 0; k < 3; k++) expected[k] = scale * (p[k] - (k == target ? 1 : 0));
            }
            var actual = grad[i].data<float>().ToArray();
            for (int k = 0; k < 3; k++)
                if (i is >= 2 and < 5) Assert.Equal(0f, actual[k]); // exactly: the weak rows are constants
                else Assert.Equal(expected[k], actual[k], 1e-6);
        }
    }

    [Fact]
    public void A_step_is_one_pass_over_weak_labeled_weak_and_strong_unlabeled_views_in_that_order()
    {
        // Batch norm normalises over the whole pass, so separate passes or another order would log other losses.
        random.manual_seed(3);
        var images = rand(30, 1, 28, 28) * 2 - 1;
        var labels = randint(0, 10, 30, dtype: ScalarType.Int64);
        var step = new Step(Enumerable.Range(10, 20).Select(i => (long)i).ToArray(), Enumerable.Range(0, 10).Select(i => (long)i).ToArray(), null);
        MethodSettings NoDropout(MethodSettings s) => s with { Dropout = 0 };

        // The definition, from the same initial weights and the same views.
        double[][] logits;
        using (var reference = MethodSteps.Start("fixmatch", Implementation.Reference, protocol: Protocol.Streams, settings: NoDropout))
        {
            var b = new Batch(step, 1, 0, 1, 1, images, labels, CPU, reference.Needs);
            Assert.False(b.View(0).equal(b.View(1)).all().item<bool>());
            reference.Classifier.train();
            using var _ = no_grad();
            var output = reference.Classifier.forward(cat([b.LabeledView(0), b.View(0), b.View(1)], 0));
            logits = Enumerable.Range(0, 50).Select(i => output[i].data<float>().Select(v => (double)v).ToArray()).ToArray();
        }
        // τ at the median weak confidence, so the mask keeps some and drops some.
        double tau = logits.Skip(10).Take(20).Select(r => Softmax(r).Max()).Order().ElementAt(10);
        double supervised = Enumerable.Range(0, 10).Average(i => CrossEntropy(logits[i], (int)labels[i].item<long>()));
        var kept = Enumerable.Range(0, 20).Where(i => Softmax(logits[10 + i]).Max() >= tau).ToList();
        double unlabeled = kept.Sum(i => CrossEntropy(logits[30 + i], ArgMax(logits[10 + i]))) / 20;
        Assert.InRange(kept.Count, 1, 19);

        using var run = MethodSteps.Start("fixmatch", Implementation.Reference, protocol: Protocol.Streams, settings: NoDropout, own: new FixMatchOptions { Threshold = tau });
        var losses = MethodSteps.Train(run, [step], images, labels);
        Assert.Equal(supervised, losses.Losses[SganLosses.SupervisedName]!.Value, 1e-5);
        Assert.Equal(unlabeled, losses.Losses[FixMatch.UnlabeledLossName]!.Value, 1e-5);
        Assert.Equal(kept.Count / 20.0, losses.Losses[FixMatch.MaskRateName]!.Value, 1e-6);
    }

    [Fact]
    public void Steps_through_the_harness_log_finite_losses_and_the_mask_rate_on_full_labeled_batches_and_mu_times_as_many_unlabeled()
    {
        random.manual_seed(2);
        var images = rand(90, 1, 28, 28) * 2 - 1;
        var labels = randint(0, 10, 90, dtype: ScalarType.Int64);
        using var run = MethodSteps.Start("fixmatch", Implementation.Fast, protocol: Protocol.Streams, own: new FixMatchOptions { Mu = 2, Threshold = 0 });
        Assert.Equal(LabeledSource.FullBatches, run.Needs.Labeled);
        Assert.Equal(2, run.Needs.UnlabeledRatio);
        Assert.Equal([Augmentation.Weak], run.Needs.LabeledViews);
        Assert.Equal([Augmentation.Weak, Augmentation.Strong], run.Needs.UnlabeledViews);
        Assert.True(run.Averaged); // the recipe evaluates an average of the weights
        var steps = Enumerable.Range(0, 3).Select(s => new Step(Enumerable.Range(30 + s * 20, 20).Select(i => (long)i).ToArray(),
            Enumerable.Range(s * 10, 10).Select(i => (long)i).ToArray(), null));
        var losses = MethodSteps.Train(run, steps, images, labels);
        Assert.Equal(3, losses.Steps);
        Assert.Equal(60, losses.RealImages);
        Assert.Equal(30, losses.LabeledImages);
        foreach (var name in new[] { SganLosses.SupervisedName, FixMatch.UnlabeledLossName })
            Assert.True(losses.Losses[name] is double v && v > 0 && double.IsFinite(v), $"{name}: {losses.Losses[name]}");
        Assert.Equal(1.0, losses.Losses[FixMatch.MaskRateName]); // τ = 0 keeps every image
    }

    [Fact]
    public void Its_recipe_evaluates_an_average_at_rate_one_minus_0_999()
    {
        Assert.Equal(0.001, MethodRegistry.Get("fixmatch").Defaults.Ema!.Value, 15);
        var o = new FixMatchOptions();
        Assert.Equal((7, 0.95, 1.0), (o.Mu, o.Threshold, o.LambdaU));
    }
}
