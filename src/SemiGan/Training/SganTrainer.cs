using SemiGan.Kernels;
using SemiGan.Models;
using TorchSharp;
using static TorchSharp.torch;
using Generator = SemiGan.Models.Generator;

namespace SemiGan.Training;

/// <summary>
/// One SGAN update per step: the discriminator minimises supervised cross-entropy + the unsupervised
/// real/fake loss, then the generator minimises the non-saturating loss against the updated discriminator
/// (losses: <see cref="SganLosses"/>; what every GAN step shares: <see cref="GanTrainer"/>).
/// </summary>
public sealed class SganTrainer : GanTrainer
{
    public SganTrainer(Classifier d, ImageGenerator g, KPlusOneHead head, double lr, double beta1, double beta2, Device device,
        Implementation implementation = Implementation.Fast, double weightDecay = 0, bool realStatsOnly = false)
        : base(d, g, head, lr, beta1, beta2, device, implementation, weightDecay, realStatsOnly)
    {
        TrainingProbe.Started?.Invoke(D);
    }

    protected override string GeneratorLossName => SganLosses.GeneratorName;

    protected override StepLosses Step(Step step, Tensor x, Tensor fake, Tensor images, Tensor labels)
    {
        if (step.Labeled.Length > 0) TrainingProbe.Labeled?.Invoke(D, step.Labeled);
        Tensor LabeledPass() => D.forward(images.index_select(0, tensor(step.Labeled, device: images.device)).to(device));
        // The labeled batch's own pass (streams) is a real batch too. With bnStats real it goes before
        // Discriminate keeps the statistics, which putting them back would otherwise undo; without the
        // option it stays after D's real/fake pass, the order of the random draws the committed runs made.
        bool ownPass = step.Labeled.Length > 0 && step.LabeledPositions is null;
        Tensor? outLab = ownPass && realStatsOnly ? LabeledPass() : null;
        var (outReal, outFake, kept) = Discriminate(x, () => fake.detach());
        var unsupervised = SganLosses.Unsupervised(outReal, outFake, head);
        Tensor? supervised = null;
        if (step.Labeled.Length > 0)
        {
            var y = labels.index_select(0, tensor(step.Labeled, device: labels.device)).to(device);
            outLab ??= step.LabeledPositions is { } pos
                ? outReal.index_select(0, tensor(pos, device: device)) // masked: reuse the real batch's pass
                : LabeledPass();
            supervised = SganLosses.Supervised(outLab, y, head);
        }
        UpdateDiscriminator(supervised is null ? unsupervised : unsupervised + supervised, kept);

        var generator = UpdateGenerator(() => SganLosses.Generator(D.forward(fake), head));
        return new StepLosses(supervised, unsupervised, generator);
    }

    /// <summary>Generator samples for a fixed latent batch (no gradients), as host floats in [-1,1].</summary>
    public float[] Sample(Tensor z) => Sample(G, z, device);
}
