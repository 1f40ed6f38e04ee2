using SemiGan.Kernels;
using SemiGan.Methods;
using SemiGan.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Tests;

/// <summary>--precision bf16: what Autocast computes, and the pre-run check's bf16 tolerances.</summary>
public class Bf16Tests
{
    static Tensor Rounded(Tensor t) => t.to_type(ScalarType.BFloat16).to_type(ScalarType.Float32);

    static Tensor ChannelsLastOf(Tensor t) => t.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);

    static double Relative(Tensor a, Tensor b) => ((a - b).norm() / b.norm()).item<float>();

    /// <summary>
    /// Every convolution and linear layer the fast path computes, at the networks' shapes (batch 100, channels-last
    /// where the fast path is): under bf16, its output and its input and weight gradients (for a fixed upstream
    /// gradient) against float32 arithmetic on the same bf16-rounded operands. bf16 rounds each result to 8
    /// significant bits (relative 2^-9, about 2e-3 over a tensor); a kernel that computes something else (libtorch's
    /// bf16 convolutions with few output channels are off by 14-70 %) is far outside 1e-2.
    /// </summary>
    [Theory]
    [InlineData("discriminator conv1", 1, 32, 4, 2, 1, 28)]
    [InlineData("discriminator conv2", 32, 64, 4, 2, 1, 14)]
    [InlineData("discriminator conv3", 64, 128, 3, 2, 1, 7)]
    [InlineData("generator toImage as a 1x1 convolution to the taps", 64, 16, 1, 1, 0, 14)]
    [InlineData("discriminator conv1 input gradient as a 1x1 convolution to the taps", 32, 16, 1, 1, 0, 14)]
    public void Each_fast_path_convolution_under_bf16_is_float32_arithmetic_on_bf16_operands(string layer, int cin, int cout, int k, int stride, int padding, int side)
    {
        random.manual_seed(3);
        using var scope = NewDisposeScope();
        var x = Rounded(ChannelsLastOf(randn(100, cin, side, side)));
        var w = Rounded(randn(cout, cin, k, k) * 0.1);
        var up = randn_like(nn.functional.conv2d(x, w, null, [stride, stride], [padding, padding]));
        (Tensor Y, Tensor Gx, Tensor Gw) Pass(bool bf16)
        {
            var (xi, wi) = (x.clone().requires_grad_(true), w.clone().requires_grad_(true));
            using var _ = Autocast.Use(bf16 ? Precision.Bf16 : Precision.Fp32);
            var y = Autocast.Conv2d(bf16 ? ChannelsLastOf(xi) : xi, wi, null, stride, padding);
            y.backward([up]);
            return (y.detach(), xi.grad!, wi.grad!);
        }
        var (b, f) = (Pass(true), Pass(false));
        Assert.True(Relative(b.Y, f.Y) < 1e-2, $"{layer}: output off by {Relative(b.Y, f.Y)}");
        Assert.True(Relative(b.Gx, f.Gx) < 1e-2, $"{layer}: input gradient off by {Relative(b.Gx, f.Gx)}");
        Assert.True(Relative(b.Gw, f.Gw) < 1e-2, $"{layer}: weight gradient off by {Relative(b.Gw, f.Gw)}");
        // Layers with fewer than 16 channels on a side stay float32 (Autocast.Bf16MinChannels): exactly the float32 result.
        if (Math.Min(cin, cout) >= Autocast.Bf16MinChannels) Assert.True(Relative(b.Y, f.Y) > 0, $"{layer}: not computed in bf16");
        else Assert.Equal(0, Relative(b.Y, f.Y));
    }

    [Theory]
    [InlineData("generator up", 128, 64, 7)]
    [InlineData("reference generator toImage", 64, 1, 14)]
    public void The_generator_transposed_convolution_under_bf16_is_float32_arithmetic_on_bf16_operands(string layer, int cin, int cout, int side)
    {
        random.manual_seed(3);
        using var scope = NewDisposeScope();
        using var up = nn.ConvTranspose2d(cin, cout, kernel_size: 4, stride: 2, padding: 1, bias: false);
        using (no_grad()) up.weight!.copy_(Rounded(up.weight!));
        var x = Rounded(ChannelsLastOf(randn(100, cin, side, side)));
        Tensor y, expected;
        using (Autocast.Use(Precision.Bf16)) y = Autocast.ConvTranspose2d(up, x);
        expected = up.forward(x);
        Assert.True(Relative(y, expected) < 1e-2, $"{layer}: off by {Relative(y, expected)}");
        Assert.Equal(ScalarType.Float32, y.dtype);
    }

    /// <summary>
    /// Why convolutions with few channels stay float32 under bf16 (Autocast.Bf16MinChannels): libtorch 2.10's bf16 CPU
    /// transposed convolution to one channel (the reference generator's last layer) computes something else. When a
    /// libtorch fixes it, this fails, and the rule can be revisited.
    /// </summary>
    [Fact]
    public void Libtorch_bf16_transposed_convolution_to_one_channel_is_wrong_so_it_stays_float32()
    {
        random.manual_seed(3);
        using var scope = NewDisposeScope();
        var x = Rounded(randn(4, 64, 14, 14));
        var w = Rounded(randn(64, 1, 4, 4));
        var bf16 = nn.functional.conv_transpose2d(x.to_type(ScalarType.BFloat16), w.to_type(ScalarType.BFloat16), null, [2, 2], [1, 1]).to_type(ScalarType.Float32);
        var exact = nn.functional.conv_transpose2d(x, w, null, [2, 2], [1, 1]);
        Assert.True(Relative(bf16, exact) > 0.05, $"off by only {Relative(bf16, exact)}: libtorch's bf16 kernel is right now");
    }

    [Fact]
    public void Outside_a_bf16_scope_the_layers_compute_exactly_as_before()
    {
        random.manual_seed(4);
        using var linear = nn.Linear(7, 3);
        using var x = randn(5, 7);
        using (Autocast.Use(Precision.Bf16)) { }
        Assert.Equal(Precision.Fp32, Autocast.Current);
        Assert.Equal(0f, (Autocast.Linear(linear, x) - linear.forward(x)).abs().max().item<float>());
    }

    /// <summary>
    /// The fused LeakyReLU-dropout on bfloat16 activations: by definition f = 0 where dropped, else 1/(1-p) where
    /// x &gt; 0 and slope/(1-p) elsewhere, each rounded to bfloat16; the drops are float32's at the same seed. Checked
    /// element by element against the float32 mask on the same (exactly widened) values, lengths off a multiple of 8
    /// included, with zeros of both signs.
    /// </summary>
    [Theory]
    [InlineData(0.3, 1000), InlineData(0.3, 1003), InlineData(0.5, 13), InlineData(0.3, 7)]
    public void The_bf16_dropout_factor_is_the_float32_one_rounded(double p, int n)
    {
        var rng = new Random(n);
        var values = Enumerable.Range(0, n).Select(i => i % 11 == 0 || i == n - 2 ? 0f : i % 13 == 0 || i == n - 1 ? -0f : (float)(rng.NextDouble() * 4 - 2)).ToArray();
        ushort[] bits = values.Select(DropoutMask.ToBf16).ToArray();
        float[] widened = bits.Select(b => BitConverter.UInt32BitsToSingle((uint)b << 16)).ToArray();
        var expected = new float[n];
        DropoutMask.Fill(expected, p, 99, widened, 0.2f);
        var actual = new ushort[n];
        DropoutMask.FillBf16(actual, p, 99, bits, 0.2f);
        for (int i = 0; i < n; i++) Assert.Equal(DropoutMask.ToBf16(expected[i]), actual[i]);
        if (n < 100) return;
        Assert.Contains(expected, v => v == 0f); // the data reach all three values
        Assert.Contains(expected, v => v > 1f);
        Assert.Contains(expected, v => v is > 0f and < 1f);
    }

    /// <summary>ToBf16 is round-to-nearest, ties to even, as libtorch's float-to-bfloat16 cast.</summary>
    [Fact]
    public void ToBf16_rounds_as_libtorch_casts()
    {
        var rng = new Random(5);
        float[] values = [.. Enumerable.Range(0, 4000).Select(_ => (float)((rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-6, 6)))),
            BitConverter.UInt32BitsToSingle(0x3F808000u), BitConverter.UInt32BitsToSingle(0x3F818000u), 1f / 0.7f, 0.2f / 0.7f,
            float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, BitConverter.UInt32BitsToSingle(1u)];
        using var cast = tensor(values).to_type(ScalarType.BFloat16);
        var expected = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(cast.bytes).ToArray();
        Assert.Equal(expected, values.Select(DropoutMask.ToBf16).ToArray());
    }

    /// <summary>
    /// Under bf16 the fast path keeps hidden activations in bfloat16 (no cast between layers) and hands float32 on where
    /// losses begin: the logits and the features feature matching compares. What reaches each LeakyReLU-dropout is seen
    /// through the test-only mask hook: conv1's output (too few channels for bf16) in float32, conv2's and conv3's in
    /// bfloat16 after their batch norm.
    /// </summary>
    [Fact]
    public void Under_bf16_hidden_activations_stay_bf16_and_logits_and_features_leave_float32()
    {
        random.manual_seed(3);
        using var d = new Discriminator(KPlusOneHead.GanLogit, 0.3, Implementation.Fast);
        using var g = new Models.Generator(100, Implementation.Fast);
        using var scope = NewDisposeScope();
        var reached = new List<ScalarType>();
        DropoutInjection.Masks = x => { reached.Add(x.dtype); return ones(x.shape); };
        try
        {
            using var bf16 = Autocast.Use(Precision.Bf16);
            var x = rand(6, 1, 28, 28) * 2 - 1;
            var (a, b) = d.forward(x, x);
            Assert.Equal([ScalarType.Float32, ScalarType.BFloat16, ScalarType.BFloat16], reached);
            Assert.Equal((ScalarType.Float32, ScalarType.Float32), (a.dtype, b.dtype));
            Assert.Equal(ScalarType.Float32, d.Features(x).dtype);
            var fake = g.forward(randn(6, 100));
            Assert.Equal(ScalarType.Float32, fake.dtype);
            d.forward(fake).logsumexp(1).mean().backward();
            Assert.All(d.parameters().Concat(g.parameters()), w => Assert.True(w.grad!.isfinite().all().item<bool>()));
        }
        finally { DropoutInjection.Masks = null; }
        // Outside the scope the same network computes in float32 throughout.
        reached.Clear();
        DropoutInjection.Masks = x => { reached.Add(x.dtype); return ones(x.shape); };
        try { d.forward(rand(6, 1, 28, 28), rand(6, 1, 28, 28)); }
        finally { DropoutInjection.Masks = null; }
        Assert.Equal([ScalarType.Float32, ScalarType.Float32, ScalarType.Float32], reached);
    }

    [Fact]
    public void The_bf16_check_agrees_for_every_method_and_catches_a_shifted_layer()
    {
        var subjects = FastPathCheck.Registered(new MethodSettings { Precision = Precision.Bf16 }).ToList();
        var verdict = FastPathCheck.Run(CPU, 37, [KPlusOneHead.GanLogit, KPlusOneHead.Softmax11], subjects, ImageShape.Default);
        Assert.True(verdict.Agrees, verdict.Describe());
        Assert.Contains(verdict.Comparisons, c => c.Tolerance == FastPathCheck.Bf16GradientTolerance);
        // The fp32 check's fault (0.01) is within bf16's rounding; one ten times larger is not.
        (FaultInjection.Layer, FaultInjection.Size) = ("generator.linear", 0.1);
        try
        {
            var faulty = FastPathCheck.Run(CPU, 37, [KPlusOneHead.GanLogit], subjects.Where(s => s.Name == "sgan"), ImageShape.Default);
            Assert.False(faulty.Agrees, faulty.Describe());
            Assert.Contains("generator", faulty.Worst!.Quantity);
        }
        finally { (FaultInjection.Layer, FaultInjection.Size) = (null, 0.01); }
    }

    [Fact]
    public void Vat_finds_the_same_adversarial_direction_under_bf16()
    {
        random.manual_seed(5);
        using var d = new Discriminator(KPlusOneHead.GanLogit, 0, Implementation.Fast);
        d.eval();
        using var x = rand(8, 1, 28, 28) * 2 - 1;
        using var dir = Vat.RandomUnit(x);
        Tensor Logits(Tensor input) => d.forward(input);
        Tensor Direction(Precision p)
        {
            using var _ = Autocast.Use(p);
            var logP = nn.functional.log_softmax(d.forward(x).detach(), 1);
            return Vat.Perturbation(Logits, x, logP, dir, 1e-2, 4);
        }
        var (a, b) = (Direction(Precision.Fp32).flatten(1), Direction(Precision.Bf16).flatten(1));
        var cosine = nn.functional.cosine_similarity(a, b, 1).min().item<float>();
        Assert.True(cosine > 0.99, $"cosine of the fp32 and bf16 directions {cosine}");
    }
}

/// <summary>--precision bf16: every method becomes its bf16 variant, with its settings, and the gains follow.</summary>
public class PrecisionOptionTests
{
    [Fact]
    public void Bf16_renames_every_method_to_its_bf16_variant_keeping_settings_reference_and_comparisons()
    {
        var cfg = new Config.ExperimentConfig
        {
            Name = "p", Labels = [100], Seeds = [1], Epochs = 1, Methods = ["sgan", "baseline-whole-batch", "supervised"],
            Reference = "supervised", Comparisons = [["sgan", "supervised"], ["baseline-whole-batch", "supervised"]],
            MethodSettings = new()
            {
                ["baseline-whole-batch"] = new MethodOptions { Method = "baseline" }.WithOwn("mask", "whole-batch"),
                ["supervised"] = new MethodOptions { LearningRate = 1e-3 },
            },
        }.Validated();
        var bf16 = cfg.InPrecision("bf16").Validated();
        Assert.Equal(["sgan-bf16", "baseline-whole-batch-bf16", "supervised-bf16"], bf16.Methods);
        Assert.Equal("supervised-bf16", bf16.Reference);
        Assert.Equal([("sgan-bf16", "supervised-bf16"), ("baseline-whole-batch-bf16", "supervised-bf16")], bf16.GainPairs());
        Assert.All(bf16.Methods, m => Assert.Equal(Precision.Bf16, bf16.SettingsOf(m).Precision));
        Assert.Equal(1e-3, bf16.SettingsOf("supervised-bf16").LearningRate);
        Assert.Equal(cfg.SettingsOf("baseline-whole-batch").Own, bf16.SettingsOf("baseline-whole-batch-bf16").Own);
        Assert.Equal("baseline", bf16.MethodOf("baseline-whole-batch-bf16").Name);
        Assert.Same(cfg, cfg.InPrecision("fp32"));
        Assert.Equal(Precision.Fp32, cfg.SettingsOf("sgan").Precision);
        // fp32 is not written into config.json: files of earlier runs stay as they were.
        Assert.DoesNotContain("precision", cfg.ToJson());
        Assert.Contains("\"precision\": \"bf16\"", bf16.ToJson());
        Assert.Throws<Config.ConfigException>(() => cfg.InPrecision("fp16"));
    }
}
