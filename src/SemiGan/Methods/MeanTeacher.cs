using SemiGan.Models;
using SemiGan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Methods;

/// <summary>
/// Mean Teacher (Tarvainen &amp; Valpola 2017): the student learns from its labeled images and from agreeing with a
/// teacher whose weights are an exponential moving average of its own. Each step: the teacher predicts on one weak
/// view of the step's unlabeled images; the student takes cross-entropy on a weak view of a full labeled batch
/// plus w(t) × the mean squared difference between its softmax on a second, independent weak view and the
/// teacher's; then, after the optimizer step, the teacher moves towards the student at rate 1 − α (α 0.99 during
/// the ramp-up, 0.999 after it). w rises as w_max·exp(−5(1 − t)²) over the ramp-up. The teacher is what is
/// evaluated, as the paper reports it.
/// </summary>
public sealed class MeanTeacher : IMethod
{
    public string Name => "mean-teacher";
    public string DisplayName => "Mean Teacher";
    public Type OptionsType => typeof(MeanTeacherOptions);

    public MethodRun Start(MethodContext c) => new Run(c);

    public const string ConsistencyName = "consistency";

    /// <summary>
    /// The consistency cost: (softmax(student) − softmax(teacher))², averaged over the classes and the batch (the
    /// paper's code takes the mean over the classes, then over the batch). The teacher's side is a constant.
    /// </summary>
    public static Tensor Consistency(Tensor studentLogits, Tensor teacherLogits) =>
        (nn.functional.softmax(studentLogits, 1) - nn.functional.softmax(teacherLogits.detach(), 1)).square().mean();

    /// <summary>w at <paramref name="progress"/> (0 at the run's start, 1 at its end): w_max·exp(−5(1 − progress/rampUp)²) during the ramp-up, w_max after it.</summary>
    public static double Weight(double progress, MeanTeacherOptions o)
    {
        if (progress >= o.RampUp) return o.Consistency;
        double phase = 1 - progress / o.RampUp;
        return o.Consistency * Math.Exp(-5 * phase * phase);
    }

    /// <summary>The teacher's rate per update at <paramref name="progress"/>: 1 − α, with α <c>alphaRampUp</c> during the ramp-up and <c>alpha</c> after it.</summary>
    public static double TeacherRate(double progress, MeanTeacherOptions o) => 1 - (progress < o.RampUp ? o.AlphaRampUp : o.Alpha);

    sealed class Run : MethodRun
    {
        readonly Classifier d;
        readonly WeightAverage teacher;
        readonly TorchSharp.Modules.Adam optimizer;
        readonly MeanTeacherOptions o;

        public Run(MethodContext c) : base(c)
        {
            o = c.Options<MeanTeacherOptions>();
            d = SeededClassifier();
            teacher = new WeightAverage(d, 1 - o.Alpha); // its rate is given per update (TeacherRate)
            optimizer = AdamFor(d);
        }

        public override Classifier Classifier => d;
        // The labeled images are augmented as the unlabeled ones are: the paper's student sees translated (and noised) inputs throughout.
        public override DataNeeds Needs => new()
        {
            Labeled = LabeledSource.FullBatches,
            UnlabeledViews = [Augmentation.Weak, Augmentation.Weak],
            LabeledViews = [Augmentation.Weak],
        };
        public override IReadOnlyList<string> LossNames => [SganLosses.SupervisedName, ConsistencyName];
        // The teacher is a network of the run: checkpoints and saved models keep it by name.
        protected override IEnumerable<(string Name, nn.Module Module)> Networks => [("discriminator", d), ("teacher", teacher)];
        public override IEnumerable<(string Name, TorchSharp.Modules.OptimizerHelper Optimizer)> Optimizers => [("discriminator", optimizer)];

        public override StepResult Step(Batch b)
        {
            double progress = b.Progress(Context.Settings.Epochs);
            ClearGradients(d, optimizer);
            // The teacher first: its pass swaps weights in place, which the student's graph must not have seen.
            var target = SganLosses.ClassLogits(teacher.Teacher(() => d.forward(b.View(1))), d.Head);
            var supervised = SganLosses.Supervised(d.forward(b.LabeledView(0)), b.Labels, d.Head);
            var consistency = Consistency(SganLosses.ClassLogits(d.forward(b.View(0)), d.Head), target);
            Minimise(optimizer, supervised + Weight(progress, o) * consistency);
            teacher.Update(TeacherRate(progress, o));
            return new([(SganLosses.SupervisedName, supervised), (ConsistencyName, consistency)], b.Indices.Real.Length, b.LabeledCount);
        }

        /// <summary>The teacher's weights, with the student's batch-norm running statistics (the teacher has none of its own).</summary>
        public override IDisposable Evaluated() => teacher.Swapped();

        /// <summary>Always: the teacher, an average of the student's weights, is what is evaluated.</summary>
        public override bool Averaged => true;

        public override void Dispose() { optimizer.Dispose(); teacher.Dispose(); d.Dispose(); }
    }
}

/// <summary>Mean Teacher's own options (the paper's values where it gave one).</summary>
public sealed record MeanTeacherOptions
{
    /// <summary>w_max, the consistency cost's weight after the ramp-up (the paper's runs: 100 per labeled image's cross-entropy).</summary>
    [Range(0, double.PositiveInfinity)] public double Consistency { get; init; } = 100;
    /// <summary>The ramp-up's length, as a fraction of the run's steps (the paper: 40,000 of 150,000–180,000 steps).</summary>
    [Range(0, 1)] public double RampUp { get; init; } = 0.25;
    /// <summary>α, the teacher's decay per update during the ramp-up (the paper: 0.99).</summary>
    [Range(0, 1, MaxOpen = true)] public double AlphaRampUp { get; init; } = 0.99;
    /// <summary>α, the teacher's decay per update after the ramp-up (the paper: 0.999).</summary>
    [Range(0, 1, MaxOpen = true)] public double Alpha { get; init; } = 0.999;
}
