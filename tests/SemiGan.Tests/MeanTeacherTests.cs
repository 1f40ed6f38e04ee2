using SemiGan.Config;
using SemiGan.Experiments;
using SemiGan.Methods;
using SemiGan.Models;
using SemiGan.Results;
using SemiGan.Training;
using static TorchSharp.torch;

namespace SemiGan.Tests;

/// <summary>Mean Teacher's consistency cost, ramp-up and teacher against their definitions, its steps, and its evaluation of the teacher (its resume: MethodResumeTests).</summary>
public class MeanTeacherTests
{
    static double[] Softmax(double[] r) { var e = r.Select(Math.Exp).ToArray(); return e.Select(x => x / e.Sum()).ToArray(); }

    [Fact]
    public void The_consistency_cost_is_the_mean_squared_difference_of_the_softmaxes_with_the_teacher_a_constant()
    {
        double[][] s = [[2, 0, -1], [0.5, 0.5, 0]], t = [[1, 1, 0], [-1, 3, 0.2]];
        using var student = tensor(s.SelectMany(r => r.Select(v => (float)v)).ToArray(), [2, 3], requires_grad: true);
        using var teacher = tensor(t.SelectMany(r => r.Select(v => (float)v)).ToArray(), [2, 3], requires_grad: true);
        // Σ over the batch and the classes of (p_s − p_t)², divided by batch × classes.
        double expected = Enumerable.Range(0, 2).Sum(i =>
        {
            var (ps, pt) = (Softmax(s[i]), Softmax(t[i]));
            return Enumerable.Range(0, 3).Sum(k => (ps[k] - pt[k]) * (ps[k] - pt[k]));
        }) / 6;
        var loss = MeanTeacher.Consistency(student, teacher);
        Assert.Equal(expected, loss.item<float>(), 1e-7);
        Assert.True(expected > 1e-2); // the hand-made batch disagrees: the comparison is not 0 against 0
        loss.backward();
        Assert.NotNull(student.grad);
        Assert.True(student.grad!.abs().sum().item<float>() > 0);
        Assert.Null(teacher.grad); // no gradient reaches the teacher's side
        // Identical predictions cost nothing.
        Assert.Equal(0f, MeanTeacher.Consistency(student.detach(), student.detach()).item<float>());
    }

    [Theory]
    [InlineData(0.0, 0.6737946999085467)]   // t = 0: w_max·e^−5
    [InlineData(0.0625, 6.005466789530795)]  // t = 0.25: w_max·e^−2.8125
    [InlineData(0.125, 28.650479686019008)]  // t = 0.5: w_max·e^−1.25
    [InlineData(0.1875, 73.16156289466417)]  // t = 0.75: w_max·e^−0.3125
    [InlineData(0.25, 100.0)]                // the ramp's end
    [InlineData(0.9, 100.0)]
    public void The_consistency_weight_follows_the_sigmoid_ramp_up_then_stays_at_its_maximum(double progress, double expected) =>
        Assert.Equal(expected, MeanTeacher.Weight(progress, new MeanTeacherOptions { Consistency = 100, RampUp = 0.25 }), 12);

    [Fact]
    public void The_teacher_moves_at_one_minus_alpha_during_the_ramp_up_and_after_it()
    {
        var o = new MeanTeacherOptions { RampUp = 0.3, AlphaRampUp = 0.99, Alpha = 0.999 };
        Assert.Equal(0.01, MeanTeacher.TeacherRate(0, o), 12);
        Assert.Equal(0.01, MeanTeacher.TeacherRate(0.29, o), 12);
        Assert.Equal(0.001, MeanTeacher.TeacherRate(0.3, o), 12);
        Assert.Equal(0.001, MeanTeacher.TeacherRate(0.99, o), 12);
        // Without a ramp-up the weight is at its maximum and the rate at 1 − alpha from the first step.
        var none = o with { RampUp = 0 };
        Assert.Equal(o.Consistency, MeanTeacher.Weight(0, none));
        Assert.Equal(0.001, MeanTeacher.TeacherRate(0, none), 12);
    }

    static (Tensor Images, Tensor Labels, List<Step> Steps) Data(int count = 3)
    {
        random.manual_seed(2);
        var images = rand(20 * count, 1, 28, 28) * 2 - 1;
        var labels = randint(0, 10, 20 * count, dtype: ScalarType.Int64);
        var steps = Enumerable.Range(0, count).Select(s => new Step(Enumerable.Range(s * 10, 10).Select(i => (long)i).ToArray(),
            Enumerable.Range(10 * count + s * 10, 10).Select(i => (long)i).ToArray(), null)).ToList();
        return (images, labels, steps);
    }

    [Fact]
    public void A_step_trains_the_student_on_both_losses_and_moves_the_teacher_by_the_documented_rate()
    {
        var (images, labels, steps) = Data();
        // Progress of the three steps of a one-epoch run: 0, 1/3, 2/3: two in the ramp-up, one after it.
        var o = new MeanTeacherOptions { RampUp = 0.5 };
        using var run = MethodSteps.Start("mean-teacher", Implementation.Fast, protocol: Protocol.Streams, own: o);
        Assert.Equal(LabeledSource.FullBatches, run.Needs.Labeled);
        Assert.Equal([Augmentation.Weak, Augmentation.Weak], run.Needs.UnlabeledViews);
        Assert.Contains(run.Modules, m => m.Name == "teacher"); // checkpoints keep it
        var teacher = (WeightAverage)MethodSteps.Network(run, "teacher");
        var first = run.Classifier.parameters().First();
        var seen = new List<double[]>();
        var losses = MethodSteps.Train(run, steps, images, labels, onStep: () => seen.Add(first.detach().to_type(ScalarType.Float64).data<double>().ToArray()));

        Assert.Equal(3, losses.Steps);
        Assert.Equal(30, losses.RealImages);
        Assert.Equal(30, losses.LabeledImages);
        Assert.True(losses.Losses[SganLosses.SupervisedName] is > 0 and < double.PositiveInfinity);
        Assert.True(losses.Losses[MeanTeacher.ConsistencyName] is > 0 and < double.PositiveInfinity);
        Assert.Equal(3, teacher.Steps);
        // The teacher after the steps, in closed form from the student's weights after each step (bias-corrected, as WeightAverage reads it).
        double[] rates = [0.01, 0.01, 0.001];
        double Remaining(int from) => Enumerable.Range(from, 3 - from).Aggregate(1.0, (p, k) => p * (1 - rates[k]));
        var expected = Enumerable.Range(0, seen[0].Length)
            .Select(j => Enumerable.Range(0, 3).Sum(i => rates[i] * Remaining(i + 1) * seen[i][j]) / (1 - Remaining(0))).ToArray();
        var actual = teacher.Average(0).to_type(ScalarType.Float64).data<double>().ToArray();
        Assert.Equal(expected, actual, (p, q) => Math.Abs(p - q) < 1e-6);
        // With the after-ramp rate throughout, the third step's weight would be another; the comparison can tell them apart.
        double[] wrong = [0.01, 0.01, 0.01];
        double RemainingWrong(int from) => Enumerable.Range(from, 3 - from).Aggregate(1.0, (p, k) => p * (1 - wrong[k]));
        var other = Enumerable.Range(0, seen[0].Length)
            .Select(j => Enumerable.Range(0, 3).Sum(i => wrong[i] * RemainingWrong(i + 1) * seen[i][j]) / (1 - RemainingWrong(0))).ToArray();
        Assert.True(other.Zip(actual).Max(p => Math.Abs(p.First - p.Second)) > 1e-5);
    }

    [Fact]
    public void Evaluation_swaps_in_the_teachers_weights_and_then_restores_the_students()
    {
        var (images, labels, steps) = Data();
        using var run = MethodSteps.Start("mean-teacher", Implementation.Fast, protocol: Protocol.Streams, settings: s => s with { LearningRate = 1e-2 });
        MethodSteps.Train(run, steps, images, labels);
        var teacher = (WeightAverage)MethodSteps.Network(run, "teacher");
        var ps = run.Classifier.parameters().ToList();
        var live = ps.Select(p => p.detach().clone()).ToList();
        using (run.Evaluated())
        {
            for (int i = 0; i < ps.Count; i++) Assert.True(ps[i].detach().equal(teacher.Average(i)).all().item<bool>(), $"weight {i} is not the teacher's");
            Assert.Contains(ps.Zip(live), p => !p.First.detach().allclose(p.Second, rtol: 1e-4, atol: 1e-6)); // the teacher is not the student
        }
        Assert.All(ps.Zip(live), p => Assert.True(p.First.detach().equal(p.Second).all().item<bool>(), "the student's weights were not restored"));
    }
    // Its resume after a kill (the teacher is in the checkpoint): MethodResumeTests, for every registered method.
}
