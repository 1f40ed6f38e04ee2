using SemiGan.Models;
using SemiGan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Tests;

/// <summary>Loss forms against values computed by hand in doubles from their probabilistic definitions.</summary>
public class LossTests
{
    static readonly double[][] Rows =
    [
        [1.0, 2.0, 0.5, -1.0, 0.0, 0.3, -0.7, 1.5, 0.2, -2.0, 0.8],
        [-0.5, 0.1, 3.0, 0.0, -1.2, 0.4, 0.9, -0.3, 2.2, 0.6, -1.5],
    ];

    static Tensor Out(int columns) =>
        tensor(Rows.SelectMany(r => r.Take(columns)).Select(v => (float)v).ToArray(), [Rows.Length, columns]);

    // p(real | x): Z / (Z + exp(l_F)), Z = sum_k exp(l_k), l_F = 0 for the gan_logit head.
    static double PReal(double[] row, bool explicitFake)
    {
        double z = row.Take(10).Sum(Math.Exp);
        return z / (z + (explicitFake ? Math.Exp(row[10]) : 1.0));
    }

    [Theory]
    [InlineData(KPlusOneHead.GanLogit)]
    [InlineData(KPlusOneHead.Softmax11)]
    public void Unsupervised_and_generator_losses_match_hand_computation(KPlusOneHead head)
    {
        bool fake11 = head == KPlusOneHead.Softmax11;
        using var real = Out(head.Outputs(10));
        using var fake = Out(head.Outputs(10)).flip(0); // a different batch for the fake side
        double[][] fakeRows = [Rows[1], Rows[0]];

        double expectedD = Rows.Average(r => -Math.Log(PReal(r, fake11))) + fakeRows.Average(r => -Math.Log(1 - PReal(r, fake11)));
        double expectedG = fakeRows.Average(r => -Math.Log(PReal(r, fake11)));

        Assert.Equal(expectedD, SganLosses.Unsupervised(real, fake, head).item<float>(), 5);
        Assert.Equal(expectedG, SganLosses.Generator(fake, head).item<float>(), 5);
    }

    [Fact]
    public void Softmax11_head_is_the_explicit_eleven_way_softmax()
    {
        // -log(1 - p_fake) with p_fake from a plain 11-way softmax: the definition in Odena (2016).
        double[] r = Rows[0];
        double pFake = Math.Exp(r[10]) / r.Sum(Math.Exp);
        using var o = Out(11).narrow(0, 0, 1);
        using var fakeSide = Out(11).narrow(0, 1, 1);
        double expected = -Math.Log(1 - pFake) + -Math.Log(Math.Exp(Rows[1][10]) / Rows[1].Sum(Math.Exp));
        Assert.Equal(expected, SganLosses.Unsupervised(o, fakeSide, KPlusOneHead.Softmax11).item<float>(), 5);
    }

    [Fact]
    public void Supervised_loss_is_cross_entropy_over_the_ten_class_logits()
    {
        using var o = Out(11);
        using var y = tensor(new long[] { 1, 2 });
        double expected = new[] { (Rows[0], 1), (Rows[1], 2) }
            .Average(t => -(t.Item1[t.Item2] - Math.Log(t.Item1.Take(10).Sum(Math.Exp))));
        Assert.Equal(expected, SganLosses.Supervised(o, y, KPlusOneHead.Softmax11).item<float>(), 5);
        // The fake logit (column 10) must not enter the supervised loss.
        using var o10 = Out(10);
        Assert.Equal(SganLosses.Supervised(o10, y, KPlusOneHead.GanLogit).item<float>(), SganLosses.Supervised(o, y, KPlusOneHead.Softmax11).item<float>(), 6);
    }

    [Fact]
    public void Cross_entropy_is_taken_on_logits_not_softmax_outputs()
    {
        // On logits, CE of [1000, 0, ...] against class 1 is exactly 1000. Applied to softmax outputs
        // (a double softmax) it would be about log(10) - small, hiding the error entirely.
        var logits = new float[10]; logits[0] = 1000f;
        using var o = tensor(logits, [1, 10]);
        using var y = tensor(new long[] { 1 });
        Assert.Equal(1000.0, SganLosses.Supervised(o, y, KPlusOneHead.GanLogit).item<float>(), 3);
        using var probs = o.softmax(1);
        Assert.True(SganLosses.Supervised(probs, y, KPlusOneHead.GanLogit).item<float>() < 3); // what the wrong form gives
    }

    [Fact]
    public void Gan_losses_stay_finite_for_extreme_logits()
    {
        using var big = tensor(new float[] { 500, -500, 0, 0, 0, 0, 0, 0, 0, 0, -500, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, [2, 10]);
        Assert.True(float.IsFinite(SganLosses.Unsupervised(big, big, KPlusOneHead.GanLogit).item<float>()));
        Assert.True(float.IsFinite(SganLosses.Generator(big, KPlusOneHead.GanLogit).item<float>()));
    }
}
