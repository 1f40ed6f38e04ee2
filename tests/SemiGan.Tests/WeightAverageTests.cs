using SemiGan.Models;
using SemiGan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Tests;

/// <summary>The weight average as a teacher: rates that change along the run, and passes that leave the network as they found it.</summary>
public class WeightAverageTests
{
    [Fact]
    public void With_changing_rates_the_average_is_the_bias_corrected_weighted_mean_of_its_closed_form()
    {
        double[] rates = [0.5, 0.5, 0.1, 0.1, 0.1]; // a ramp: fast early, slow later (Mean Teacher's 0.01 → 0.001, scaled up to show)
        torch.random.manual_seed(3);
        using var net = new MlpDiscriminator(KPlusOneHead.GanLogit, 0, new ImageShape(1, 2, 2, 3));
        using var average = new WeightAverage(net, 0.1);
        var first = net.parameters().First();
        var seen = new List<double[]>();
        foreach (double r in rates)
        {
            using (no_grad()) first.add_(randn_like(first));
            seen.Add(first.detach().to_type(ScalarType.Float64).data<double>().ToArray());
            average.Update(r);
        }
        // a_t = Σ_i r_i Π_{k>i} (1 − r_k) w_i, divided by 1 − Π_k (1 − r_k).
        int t = rates.Length;
        double Remaining(int from) => Enumerable.Range(from, t - from).Aggregate(1.0, (p, k) => p * (1 - rates[k]));
        var expected = Enumerable.Range(0, seen[0].Length)
            .Select(j => Enumerable.Range(0, t).Sum(i => rates[i] * Remaining(i + 1) * seen[i][j]) / (1 - Remaining(0))).ToArray();
        Assert.Equal(expected, average.Average(0).to_type(ScalarType.Float64).data<double>().ToArray(), (p, q) => Math.Abs(p - q) < 1e-5);
    }

    [Fact]
    public void The_teacher_predicts_with_the_averaged_weights_without_gradients_and_leaves_weights_and_statistics_alone()
    {
        torch.random.manual_seed(4);
        using var d = new Discriminator(KPlusOneHead.GanLogit, 0);
        using var average = new WeightAverage(d, 0.5);
        using (no_grad()) foreach (var p in d.parameters()) p.add_(randn_like(p) * 0.1);
        average.Update();
        using (no_grad()) foreach (var p in d.parameters()) p.add_(randn_like(p) * 0.1); // live weights now differ from the average
        var x = rand(6, 1, 28, 28) * 2 - 1;
        d.train();
        var live = d.parameters().Select(p => p.detach().clone()).ToList();
        var stats = d.named_buffers().Select(b => b.buffer.clone()).ToList();

        var teacher = average.Teacher(() => d.forward(x));

        Assert.False(teacher.requires_grad);
        Assert.All(d.parameters().Zip(live), p => Assert.True(p.First.detach().equal(p.Second).all().item<bool>(), "live weights changed"));
        Assert.All(d.named_buffers().Select(b => b.buffer).Zip(stats), b => Assert.True(b.First.equal(b.Second).all().item<bool>(), "running statistics moved"));
        // The same pass on a copy holding the averaged weights (train mode: batch statistics) gives the teacher's output.
        using var copy = new Discriminator(KPlusOneHead.GanLogit, 0);
        copy.load_state_dict(d.state_dict());
        using (no_grad()) foreach (var (p, i) in copy.parameters().Select((p, i) => (p, i))) p.copy_(average.Average(i));
        copy.train();
        using (no_grad()) Assert.True(copy.forward(x).allclose(teacher, rtol: 1e-5, atol: 1e-6));
        using (no_grad()) Assert.False(d.forward(x).allclose(teacher, rtol: 1e-3, atol: 1e-4)); // the live network predicts otherwise
    }
}
