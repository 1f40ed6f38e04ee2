using SemiGan.Methods;
using SemiGan.Models;
using SemiGan.Training;
using static TorchSharp.torch;

namespace SemiGan.Tests;

/// <summary>Pseudo-Label's loss and weight against their definitions, and its step through the harness.</summary>
public class PseudoLabelTests
{
    [Fact]
    public void The_unlabeled_loss_is_cross_entropy_against_the_own_argmax_where_confident_averaged_over_the_batch()
    {
        float[,] l = { { 4, 0, 0 }, { 0.2f, 0.1f, 0 }, { 0, 0, 6 } }; // confident, unsure, confident
        using var logits = tensor(new float[] { 4, 0, 0, 0.2f, 0.1f, 0, 0, 0, 6 }, [3, 3], requires_grad: true);
        static double[] Softmax(double[] r) { var e = r.Select(Math.Exp).ToArray(); return e.Select(x => x / e.Sum()).ToArray(); }
        double expected(double tau) => Enumerable.Range(0, 3).Sum(i =>
        {
            var p = Softmax([l[i, 0], l[i, 1], l[i, 2]]);
            return p.Max() >= tau ? -Math.Log(p.Max()) : 0; // the target is the argmax, so its probability is the max
        }) / 3;
        // float32 against doubles: within a few units of float32's last place.
        Assert.Equal(expected(0.9), PseudoLabel.Loss(logits, 0.9).item<float>(), 1e-6);
        Assert.Equal(expected(0), PseudoLabel.Loss(logits, 0).item<float>(), 1e-6); // Lee: every prediction
        Assert.True(expected(0.9) < expected(0));
        // Exactly at the threshold counts: the first row's max probability, as float32 computes it.
        double first = nn.functional.softmax(logits.detach(), 1)[0, 0].item<float>();
        Assert.Equal(-Math.Log(first) / 3 + (Softmax([0, 0, 6]).Max() >= first ? -Math.Log(Softmax([0, 0, 6]).Max()) / 3 : 0),
            PseudoLabel.Loss(logits, first).item<float>(), 5);
        // The targets are constants: the gradient is cross-entropy's, softmax − onehot(argmax), on kept rows only.
        PseudoLabel.Loss(logits, 0.9).backward();
        Assert.All(logits.grad![1].data<float>().ToArray(), g => Assert.Equal(0f, g));
        var p0 = Softmax([4, 0, 0]);
        Assert.Equal((p0[0] - 1) / 3, logits.grad![0, 0].item<float>(), 1e-6);
    }

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.1, 0.0)]
    [InlineData(0.35, 1.5)]
    [InlineData(0.6, 3.0)]
    [InlineData(0.9, 3.0)]
    public void The_weight_ramps_linearly_from_zero_to_its_final_value(double progress, double expected) =>
        Assert.Equal(expected, PseudoLabel.Weight(progress, new PseudoLabelOptions()), 12);

    [Fact]
    public void A_step_takes_both_losses_on_full_labeled_batches_and_the_unlabeled_batch()
    {
        random.manual_seed(2);
        var images = rand(60, 1, 28, 28) * 2 - 1;
        var labels = randint(0, 10, 60, dtype: ScalarType.Int64);
        using var run = MethodSteps.Start("pseudo-label", Implementation.Fast, protocol: Protocol.Streams, own: new PseudoLabelOptions { Threshold = 0 });
        Assert.Equal(LabeledSource.FullBatches, run.Needs.Labeled);
        var steps = Enumerable.Range(0, 3).Select(s => new Step(Enumerable.Range(s * 10, 10).Select(i => (long)i).ToArray(),
            Enumerable.Range(30 + s * 10, 10).Select(i => (long)i).ToArray(), null));
        var losses = MethodSteps.Train(run, steps, images, labels);
        Assert.Equal(3, losses.Steps);
        Assert.Equal(30, losses.RealImages);
        Assert.True(losses.Losses[SganLosses.SupervisedName] > 0);
        Assert.True(losses.Losses[PseudoLabel.UnlabeledLossName] > 0);
    }
}
