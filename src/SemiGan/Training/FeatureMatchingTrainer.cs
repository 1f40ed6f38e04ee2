using SemiGan.Kernels;
using SemiGan.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Training;

/// <summary>
/// One feature-matching step (Salimans et al. 2016): the discriminator minimises cross-entropy on the
/// labeled batch + ½·(real/fake loss) on the unlabeled and a generated batch; then the generator minimises
/// the distance between the mean features of the (updated) discriminator on the unlabeled batch and on
/// the generated one. With input noise, every discriminator input gets Gaussian noise in training. One
/// deviation: the generator's step compares with the step's unlabeled batch, not a second one.
/// </summary>
public sealed class FeatureMatchingTrainer : GanTrainer
{
    readonly double inputNoise;

    public FeatureMatchingTrainer(Classifier d, ImageGenerator g, KPlusOneHead head, double lr, double beta1, double beta2, Device device,
        Implementation implementation, double weightDecay, bool realStatsOnly, double inputNoise)
        : base(d, g, head, lr, beta1, beta2, device, implementation, weightDecay, realStatsOnly)
    {
        this.inputNoise = inputNoise;
    }

    protected override string GeneratorLossName => SganLosses.FeatureMatchingName;

    Tensor Noisy(Tensor x) => inputNoise > 0 ? x + randn_like(x) * inputNoise : x;

    protected override StepLosses Step(Step step, Tensor x, Tensor fake, Tensor images, Tensor labels)
    {
        // The labeled batch's own pass (streams) comes first, so its noise is drawn first, as in the recipe.
        Tensor? outLab = null;
        if (step.Labeled.Length > 0 && step.LabeledPositions is null)
            outLab = D.forward(Noisy(images.index_select(0, tensor(step.Labeled, device: images.device)).to(device)));
        var (outReal, outFake, kept) = Discriminate(Noisy(x), () => Noisy(fake.detach()));
        var unsupervised = SganLosses.HalfUnsupervised(outReal, outFake, head);
        Tensor? supervised = null;
        if (step.Labeled.Length > 0)
        {
            var y = labels.index_select(0, tensor(step.Labeled, device: labels.device)).to(device);
            outLab ??= outReal.index_select(0, tensor(step.LabeledPositions!, device: device)); // masked: reuse the real batch's pass
            supervised = SganLosses.Supervised(outLab, y, head);
        }
        UpdateDiscriminator(supervised is null ? unsupervised : unsupervised + supervised, kept);

        // The target features are part of G's update, so with bnStats real this pass, too, leaves D's
        // running statistics where D's real pass put them.
        Tensor realFeatures;
        using (RunningStats.Keep(D, realStatsOnly))
        using (no_grad()) realFeatures = D.Features(Noisy(x));
        var matching = UpdateGenerator(() => SganLosses.FeatureMatching(realFeatures, D.Features(Noisy(fake))));
        return new StepLosses(supervised, unsupervised, matching);
    }
}
