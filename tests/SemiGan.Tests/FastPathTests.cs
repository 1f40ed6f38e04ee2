using SemiGan.Methods;
using SemiGan.Kernels;
using SemiGan.Models;
using SemiGan.Training;
using TorchSharp;
using static TorchSharp.torch;
using Generator = SemiGan.Models.Generator;

namespace SemiGan.Tests;

/// <summary>The fast implementation computes what the reference one computes (issue 5: speed without changing the maths).</summary>
public class FastPathTests
{
    [Fact]
    public void Dropout_mask_keeps_one_minus_p_with_inverted_scale_and_fills_every_entry()
    {
        var mask = new float[1_000_003]; // not a multiple of the 8-wide vector: the tail is filled too
        Array.Fill(mask, float.NaN);
        DropoutMask.Fill(mask, 0.3, seed: 42);
        float scale = (float)(1 / 0.7);
        Assert.All(mask, v => Assert.True(v == 0f || v == scale, $"unexpected mask value {v}"));
        double kept = mask.Count(v => v != 0) / (double)mask.Length;
        double sd = Math.Sqrt(0.3 * 0.7 / mask.Length);
        Assert.InRange(kept, 0.7 - 5 * sd, 0.7 + 5 * sd);

        // Neighbours (adjacent lanes and adjacent vectors) are independent: P(both kept) ≈ 0.49.
        int pairs = 0, both = 0;
        for (int i = 0; i + 1 < mask.Length; i++) { pairs++; if (mask[i] != 0 && mask[i + 1] != 0) both++; }
        Assert.InRange(both / (double)pairs, 0.49 - 0.005, 0.49 + 0.005);
    }

    [Fact]
    public void Dropout_mask_is_a_function_of_its_seed()
    {
        float[] a = new float[1000], b = new float[1000], c = new float[1000];
        DropoutMask.Fill(a, 0.5, 7);
        DropoutMask.Fill(b, 0.5, 7);
        DropoutMask.Fill(c, 0.5, 8);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Fused_leaky_relu_dropout_matches_its_definition_forward_and_backward()
    {
        torch.random.manual_seed(5);
        using var x = randn(8, 16, 5, 5).requires_grad_(true);
        using var y = LeakyReLUDropout.Apply(x, 0.2, 0.3, training: true);
        using var kept = y.ne(0).to_type(ScalarType.Float32); // x == 0 has probability 0 for randn
        using var expected = nn.functional.leaky_relu(x, 0.2).detach() * kept / 0.7;
        Assert.True(y.detach().allclose(expected, rtol: 1e-5, atol: 1e-6));
        double keptShare = kept.mean().item<float>();
        Assert.InRange(keptShare, 0.6, 0.8);

        // d/dx [dropout(leaky_relu(x))] = mask/(1-p) * (1 or 0.2 by sign of x).
        y.sum().backward();
        using var slope = where(x.detach() > 0, 1f, 0.2f);
        Assert.True(x.grad!.allclose(slope * kept / 0.7, rtol: 1e-5, atol: 1e-6));

        using var inEval = LeakyReLUDropout.Apply(x, 0.2, 0.3, training: false);
        Assert.True(inEval.equal(nn.functional.leaky_relu(x, 0.2)).all().item<bool>());
    }

    [Fact]
    public void Fused_layer_keeps_a_channels_last_input_channels_last_and_draws_from_torch_seed()
    {
        using var x = ChannelsLast.From(randn(4, 8, 6, 6));
        Assert.True(ChannelsLast.Is(x));
        torch.random.manual_seed(9);
        using var y1 = LeakyReLUDropout.Apply(x, 0.2, 0.3, training: true);
        torch.random.manual_seed(9);
        using var y2 = LeakyReLUDropout.Apply(x, 0.2, 0.3, training: true);
        Assert.True(ChannelsLast.Is(y1));
        Assert.True(y1.equal(y2).all().item<bool>());
        // Zeros land where the factor dropped, elsewhere y = leaky_relu(x)/(1-p), layout notwithstanding.
        using var expected = nn.functional.leaky_relu(x, 0.2) * y1.ne(0) / 0.7;
        Assert.True(y1.allclose(expected, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void Fast_and_reference_discriminators_agree_in_eval_mode_even_on_a_view_of_the_data()
    {
        torch.random.manual_seed(21);
        using var fast = new Discriminator(10, 0.3, Implementation.Fast);
        torch.random.manual_seed(21);
        using var reference = new Discriminator(10, 0.3, Implementation.Reference);
        fast.eval(); reference.eval();
        using var data = rand(50, 1, 28, 28) * 2 - 1;
        using var view = data.narrow(0, 17, 9); // non-zero storage offset: a layout trick must not lose it
        using var a = fast.forward(view);
        using var b = reference.forward(view.clone());
        Assert.True(a.allclose(b, rtol: 1e-4, atol: 1e-5), $"max diff {(a - b).abs().max().item<float>()}");
    }

    // 1 and 2 threads: oneDNN splits work between threads differently, and on one CPU (AMD Zen 5) a kernel
    // computed wrong remainder channels only on 2; batch 100 is the production batch.
    [Theory]
    [InlineData(1, 16)]
    [InlineData(2, 16)]
    [InlineData(1, 100)]
    [InlineData(2, 100)]
    [InlineData(2, 37)]
    public void Fast_and_reference_generators_agree_on_images_and_weight_gradients(int threads, int batch)
    {
        using var _ = Threads.Use(threads);
        torch.random.manual_seed(22);
        using var fast = new Generator(100, Implementation.Fast);
        torch.random.manual_seed(22);
        using var reference = new Generator(100, Implementation.Reference);
        using var z = randn(batch, 100);
        using var upstream = randn(batch, 1, 28, 28);
        using var a = fast.forward(z);
        using var b = reference.forward(z);
        Assert.True(a.allclose(b, rtol: 1e-4, atol: 1e-5), $"max diff {(a - b).abs().max().item<float>()}");
        a.backward([upstream]);
        b.backward([upstream]);
        foreach (var ((name, pa), (_, pb)) in fast.named_parameters().Zip(reference.named_parameters()))
        {
            using var ga = pa.grad!; using var gb = pb.grad!;
            double scale = gb.abs().max().item<float>();
            // Gradients get the check's tolerance: a ReLU input within rounding of 0 flips its gradient (see FastPathCheck.GradientTolerance).
            Assert.True((ga - gb).norm().item<float>() <= FastPathCheck.GradientTolerance * gb.norm().item<float>() + 1e-7, $"gradient of {name} differs");
        }
    }

    [Fact]
    public void Single_channel_convolutions_fall_back_to_torch_where_the_csharp_loops_do_not_apply()
    {
        // float64 stands in for another device: the same calls must still compute the convolutions.
        torch.random.manual_seed(29);
        using var h = randn(3, 8, 14, 14, dtype: ScalarType.Float64).requires_grad_(true);
        using var weight = randn(8, 1, 4, 4, dtype: ScalarType.Float64);
        using var bias = randn(1, dtype: ScalarType.Float64);
        using var image = SingleChannelConvolution.TransposedToImage(h, weight, bias, 2, 1);
        Assert.True(image.allclose(nn.functional.conv_transpose2d(h, weight, bias, [2, 2], [1, 1])));
        using var x = randn(3, 1, 28, 28, dtype: ScalarType.Float64).requires_grad_(true);
        using var first = randn(8, 1, 4, 4, dtype: ScalarType.Float64);
        using var y = SingleChannelConvolution.FromImageInputGradientOnly(x, first, randn(8, dtype: ScalarType.Float64), 2, 1);
        Assert.Equal([3L, 8, 14, 14], y.shape);
        y.sum().backward();
        Assert.NotNull(x.grad);
    }

    [Fact]
    public void Input_gradient_only_first_convolution_matches_torch()
    {
        torch.random.manual_seed(23);
        using var weight = randn(32, 1, 4, 4) * 0.1;
        using var bias = randn(32) * 0.1;
        using var x = randn(6, 1, 28, 28);
        using var x1 = ChannelsLast.From(x).requires_grad_(true);
        using var x2 = x.clone().requires_grad_(true);
        using var upstream = randn(6, 32, 14, 14);
        using var y1 = SingleChannelConvolution.FromImageInputGradientOnly(x1, weight, bias, 2, 1);
        using var y2 = nn.functional.conv2d(x2, weight, bias, [2, 2], [1, 1]);
        Assert.True(y1.allclose(y2, rtol: 1e-5, atol: 1e-6));
        y1.backward([upstream]);
        y2.backward([upstream]);
        Assert.True(x1.grad!.allclose(x2.grad!, rtol: 1e-4, atol: 1e-5));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Fast_and_reference_discriminators_give_the_same_training_gradients_without_dropout(int threads)
    {
        using var _ = Threads.Use(threads);
        // Dropout 0 so both draw the same random numbers; train mode (batch statistics), the D loss of a step.
        var gradients = new[] { Implementation.Fast, Implementation.Reference }.Select(impl =>
        {
            torch.random.manual_seed(25);
            var d = new Discriminator(10, 0.0, impl);
            using var real = rand(100, 1, 28, 28) * 2 - 1;
            using var fake = rand(100, 1, 28, 28) * 2 - 1;
            using var labels = randint(0, 10, 100, dtype: ScalarType.Int64);
            var outReal = d.forward(real);
            var loss = SganLosses.Unsupervised(outReal, d.forward(fake), KPlusOneHead.GanLogit) + SganLosses.Supervised(outReal, labels, KPlusOneHead.GanLogit);
            loss.backward();
            return d.named_parameters().Select(p => (p.name, grad: p.parameter.grad!.clone())).ToList();
        }).ToArray();
        foreach (var (f, r) in gradients[0].Zip(gradients[1]))
        {
            double gap = (f.grad - r.grad).norm().item<float>(), size = r.grad.norm().item<float>();
            Assert.True(gap <= FastPathCheck.GradientTolerance * size + 1e-9, $"{r.name}: gradients differ by {gap / size:E1} of their size");
        }
    }

    [Fact]
    public void Paired_forward_equals_two_forward_calls_with_per_batch_statistics()
    {
        // Train mode, dropout 0: outputs, the weight gradients of a loss on both, and the batch-norm running
        // statistics afterwards (updated with a's batch, then b's) must all be those of two separate calls.
        var results = new[] { true, false }.Select(paired =>
        {
            torch.random.manual_seed(27);
            var d = new Discriminator(10, 0.0, Implementation.Fast);
            using var a = rand(60, 1, 28, 28) * 2 - 1;
            using var b = rand(40, 1, 28, 28); // a different distribution: its own statistics matter
            var (outA, outB) = paired ? d.forward(a, b) : (d.forward(a), d.forward(b));
            (outA.pow(2).mean() + outB.abs().mean()).backward();
            var grads = d.named_parameters().Select(p => p.parameter.grad!.clone()).ToList();
            var buffers = d.named_buffers().Select(x => x.buffer.clone()).ToList();
            return (Outputs: cat([outA, outB], 0).detach(), grads, buffers);
        }).ToArray();
        Assert.True(results[0].Outputs.allclose(results[1].Outputs, rtol: 1e-4, atol: 1e-5), "outputs");
        foreach (var (p, s) in results[0].grads.Zip(results[1].grads))
            Assert.True((p - s).norm().item<float>() <= 1e-4 * s.norm().item<float>() + 1e-9, "gradients");
        foreach (var (p, s) in results[0].buffers.Zip(results[1].buffers))
            Assert.True(p.allclose(s, rtol: 1e-5, atol: 1e-6), "running statistics");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Fast_and_reference_sgan_steps_compute_the_same_losses_and_generator_gradients(int threads)
    {
        using var _ = Threads.Use(threads);
        // Learning rate 0 keeps both models at the same weights through the steps, so the generator's
        // gradients (through a frozen D in the fast path, through a D whose weight gradients are also
        // taken in the reference path) can be compared directly; dropout 0 aligns the random numbers.
        var (fastLoss, fastGrads) = TrainTwoSteps(Implementation.Fast);
        var (refLoss, refGrads) = TrainTwoSteps(Implementation.Reference);
        Assert.Equal(["supervised", "unsupervised", "generator"], fastLoss.Losses.Names);
        foreach (var name in refLoss.Losses.Names)
            Assert.Equal(refLoss.Losses[name]!.Value, fastLoss.Losses[name]!.Value, 1e-5);
        foreach (var (f, r) in fastGrads.Zip(refGrads))
        {
            double gap = (f.Grad - r.Grad).norm().item<float>(), size = r.Grad.norm().item<float>();
            double tolerance = FastPathCheck.GradientTolerance; // see there: ReLU kinks make gradients discontinuous
            Assert.True(gap <= tolerance * size + 1e-9, $"{r.Name}: gradients differ by {gap / size:E1} of their size");
        }
    }

    static (EpochLosses Losses, List<(string Name, Tensor Grad)> GeneratorGradients) TrainTwoSteps(Implementation impl)
    {
        torch.random.manual_seed(24);
        using var images = rand(200, 1, 28, 28) * 2 - 1;
        using var labels = randint(0, 10, 200, dtype: ScalarType.Int64);
        using var run = MethodSteps.Start("sgan", impl, settings: s => s with { Dropout = 0, LearningRate = 0 });
        var steps = Enumerable.Range(0, 2).Select(i =>
        {
            long[] real = Enumerable.Range(i * 100, 100).Select(k => (long)k).ToArray();
            return new Step(real, [real[3], real[50]], [3, 50]);
        });
        var losses = MethodSteps.Train(run, steps, images, labels);
        return (losses, MethodSteps.Network(run, "generator").named_parameters().Select(p => (p.name, p.parameter.grad!.clone())).ToList());
    }

    [Fact]
    public void One_pass_adam_matches_torchsharp_adam_and_shares_its_state_format()
    {
        torch.random.manual_seed(26);
        using var w0 = randn(1003) * 0.1; // odd size: the vector loop's tail is used
        using var b0 = randn(7);
        var fastParams = new[] { new TorchSharp.Modules.Parameter(w0.clone()), new TorchSharp.Modules.Parameter(b0.clone()) };
        var refParams = new[] { new TorchSharp.Modules.Parameter(w0.clone()), new TorchSharp.Modules.Parameter(b0.clone()) };
        using var fast = new SemiGan.Kernels.Adam(fastParams, 2e-4, 0.5, 0.999);
        using var reference = optim.Adam(refParams, 2e-4, 0.5, 0.999);
        for (int step = 0; step < 5; step++)
        {
            var grads = fastParams.Select(p => randn(p.shape) * (step + 1) * 1e-3).ToArray();
            foreach (var (p, g) in fastParams.Zip(grads)) p.grad = g.clone();
            foreach (var (p, g) in refParams.Zip(grads)) p.grad = g.clone();
            fast.step();
            reference.step();
        }
        foreach (var (f, r) in fastParams.Zip(refParams))
            Assert.True(f.allclose(r, rtol: 1e-6, atol: 1e-9), $"max diff {(f - r).abs().max().item<float>()}");

        // Same state file format: the reference optimizer loads what the fast one saved, and continues alike.
        string file = Path.Combine(Path.GetTempPath(), $"semigan-adam-{Guid.NewGuid():N}.opt");
        try
        {
            fast.save_state_dict(file);
            var otherParams = new[] { new TorchSharp.Modules.Parameter(w0.clone()), new TorchSharp.Modules.Parameter(b0.clone()) };
            using var restored = optim.Adam(otherParams, 2e-4, 0.5, 0.999);
            restored.load_state_dict(file);
            Assert.True(restored.state_dict().State.Zip(reference.state_dict().State).All(s => s.First.ApproximatelyEquals(s.Second)));
        }
        finally { File.Delete(file); }
    }
}
