using SemiGan.Models;
using TorchSharp;
using static TorchSharp.torch;
using Generator = SemiGan.Models.Generator;

namespace SemiGan.Tests;

public class ArchitectureTests
{
    [Theory]
    [InlineData(KPlusOneHead.GanLogit, 127_914)]
    [InlineData(KPlusOneHead.Softmax11, 129_963)]
    public void Sgan_discriminator_and_baseline_are_the_same_network(KPlusOneHead head, long expectedParams)
    {
        // The runner builds both models with the same constructor and seed; check they come out identical.
        torch.random.manual_seed(11);
        using var sganD = new Discriminator(head, 0.3);
        torch.random.manual_seed(11);
        using var baseline = new Discriminator(head, 0.3);

        Assert.Equal(expectedParams, sganD.ParameterCount());
        Assert.Equal(sganD.ParameterCount(), baseline.ParameterCount());
        var a = sganD.named_parameters().ToList();
        var b = baseline.named_parameters().ToList();
        Assert.Equal(a.Select(p => p.name), b.Select(p => p.name));
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].parameter.shape, b[i].parameter.shape);
            Assert.True(a[i].parameter.equal(b[i].parameter).all().item<bool>());
        }
    }

    [Fact]
    public void Shapes_and_ranges()
    {
        using var d = new Discriminator(KPlusOneHead.GanLogit, 0.3);
        using var g = new Generator(100);
        using var z = randn(4, 100);
        using var img = g.forward(z);
        Assert.Equal([4L, 1, 28, 28], img.shape);
        Assert.True(img.abs().max().item<float>() <= 1f);
        using var o = d.forward(img);
        Assert.Equal([4L, 10], o.shape);
    }

    [Fact]
    public void Weights_follow_dcgan_initialisation()
    {
        torch.random.manual_seed(3);
        using var g = new Generator(100);
        var w = g.parameters().First(p => p.dim() == 2); // the linear layer's weight
        Assert.Equal(0.02, w.std().item<float>(), 2);
        Assert.Equal(0.0, w.mean().item<float>(), 2);
    }

    [Fact]
    public void A_seed_gives_the_initial_weights_it_gave_before_the_layers_were_renamed()
    {
        // Recorded with the first version (layers in a Sequential, drawn classifier first) at seed 1: a
        // change of construction or initialisation order would silently change every seed's results.
        torch.random.manual_seed(1);
        using var d = new Discriminator(KPlusOneHead.GanLogit, 0.3, Implementation.Reference);
        var sums = d.named_parameters().Where(p => p.name.EndsWith("weight")).ToDictionary(p => p.name, p => p.parameter.abs().sum().item<float>());
        Assert.Equal(8.073263f, sums["conv1.weight"], 4);
        Assert.Equal(522.5657f, sums["conv2.weight"], 2);
        Assert.Equal(1173.2955f, sums["conv3.weight"], 2);
        Assert.Equal(326.76636f, sums["classifier.weight"], 2);
    }
}
