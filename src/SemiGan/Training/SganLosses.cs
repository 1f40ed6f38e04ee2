using SemiGan.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Training;

/// <summary>
/// Every loss of the harness's methods (SGAN, feature matching, the supervised baselines), on discriminator logits (cross-entropy is always taken on
/// logits via log-softmax, never on softmax outputs). With class logits l_1..l_K and fake logit l_F
/// (l_F = 0 for the gan_logit head), the real-vs-fake logit is r = logsumexp(l_1..l_K) - l_F, so
/// p(real | x) = sigmoid(r); all GAN terms below are written with softplus for numerical stability.
/// </summary>
public static class SganLosses
{
    /// <summary>The losses' names, as the CSV's `&lt;name&gt;_loss` columns.</summary>
    public const string SupervisedName = "supervised", UnsupervisedName = "unsupervised", GeneratorName = "generator", FeatureMatchingName = "feature_matching";

    /// <summary>The K class logits of a discriminator output (all of them, or all but the last, the fake logit, under softmax11).</summary>
    public static Tensor ClassLogits(Tensor output, KPlusOneHead head) =>
        head == KPlusOneHead.GanLogit ? output : output.narrow(1, 0, output.shape[1] - 1);

    /// <summary>r = log p(real|x) - log p(fake|x).</summary>
    public static Tensor RealFakeLogit(Tensor output, KPlusOneHead head)
    {
        var lse = ClassLogits(output, head).logsumexp(1);
        return head == KPlusOneHead.GanLogit ? lse : lse - output.select(1, output.shape[1] - 1);
    }

    /// <summary>Supervised loss: -log p(y | x, real) = cross-entropy over the K class logits.</summary>
    public static Tensor Supervised(Tensor output, Tensor labels, KPlusOneHead head) =>
        nn.functional.cross_entropy(ClassLogits(output, head), labels);

    /// <summary>Unsupervised discriminator loss: -log p(real|x_real) - log p(fake|G(z)), batch means.</summary>
    public static Tensor Unsupervised(Tensor realOutput, Tensor fakeOutput, KPlusOneHead head) =>
        nn.functional.softplus(-RealFakeLogit(realOutput, head)).mean()
        + nn.functional.softplus(RealFakeLogit(fakeOutput, head)).mean();

    /// <summary>
    /// Feature matching's discriminator loss (Salimans et al. 2016): the unsupervised loss with the ½ weights
    /// of their code, ½·softplus(−r(x_unl)) + ½·softplus(r(G(z))), batch means; the supervised loss is added as is.
    /// </summary>
    public static Tensor HalfUnsupervised(Tensor unlabeledOutput, Tensor fakeOutput, KPlusOneHead head) =>
        0.5 * Unsupervised(unlabeledOutput, fakeOutput, head);

    /// <summary>
    /// Feature matching's generator loss: the squared distance between the batch means of D's features on
    /// real and on generated images, averaged over the feature dimensions as their code does
    /// (mean((m_real − m_fake)²) = ‖m_real − m_fake‖² / dims; Adam makes the constant factor immaterial).
    /// </summary>
    public static Tensor FeatureMatching(Tensor realFeatures, Tensor fakeFeatures) =>
        (realFeatures.mean([0]) - fakeFeatures.mean([0])).square().mean();

    /// <summary>Non-saturating generator loss: -log p(real|G(z)).</summary>
    public static Tensor Generator(Tensor fakeOutput, KPlusOneHead head) =>
        nn.functional.softplus(-RealFakeLogit(fakeOutput, head)).mean();
}
