using SemiGan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Tests;

/// <summary>Each augmentation op against its definition computed pixel by pixel in plain C# on tiny images.</summary>
public class AugmentationTests
{
    /// <summary>8-bit values p as the harness stores them: x = p/127.5 − 1.</summary>
    static Tensor FromBytes(int[] p, params long[] shape) => tensor(p.Select(v => v / 127.5f - 1f).ToArray(), shape);

    static float[] Values(Tensor t) => t.contiguous().data<float>().ToArray();

    static Tensor Params(params double[] v) => tensor(v);
    static Tensor Ints(params long[] v) => tensor(v);

    /// <summary>Values in [−0.9, 0.9] and never 0, so a background fill (−1) or a Cutout (0) is always visible.</summary>
    static Tensor Noise(long seed, params long[] shape)
    {
        using var g = new torch.Generator((ulong)seed);
        using var magnitude = rand(shape, generator: g).mul_(0.8).add_(0.1);
        using var sign = (rand(shape, generator: g) < 0.5).to(ScalarType.Float32).mul_(2).sub_(1);
        return magnitude * sign;
    }

    /// <summary>value(b, c, i, j) for every pixel of a [B, C, H, W] shape, in memory order.</summary>
    static float[] ByPixel(long[] shape, Func<int, int, int, int, float> value)
    {
        var r = new List<float>();
        for (int b = 0; b < shape[0]; b++)
            for (int c = 0; c < shape[1]; c++)
                for (int i = 0; i < shape[2]; i++)
                    for (int j = 0; j < shape[3]; j++)
                        r.Add(value(b, c, i, j));
        return r.ToArray();
    }

    static int Flat(long[] shape, int b, int c, long i, long j) => (int)(((b * shape[1] + c) * shape[2] + i) * shape[3] + j);

    static void Near(float[] expected, Tensor actual, double tolerance)
    {
        var a = Values(actual);
        Assert.Equal(expected.Length, a.Length);
        for (int i = 0; i < a.Length; i++)
            Assert.True(Math.Abs(expected[i] - a[i]) <= tolerance, $"element {i}: expected {expected[i]}, got {a[i]}");
    }

    [Fact]
    public void A_translation_by_k_pixels_moves_every_pixel_by_exactly_k_and_fills_with_background()
    {
        const int B = 4, C = 2, H = 5, W = 6;
        using var x = Noise(1, B, C, H, W);
        long[] dx = [2, -1, 0, 7], dy = [1, 0, -3, 0]; // the last moves everything out of the image
        using var y = Augment.Translate(x, Ints(dx), Ints(dy));
        var xs = Values(x);
        var expected = ByPixel(x.shape, (b, c, i, j) =>
        {
            long si = i - dy[b], sj = j - dx[b];
            return si >= 0 && si < H && sj >= 0 && sj < W ? xs[Flat(x.shape, b, c, si, sj)] : -1f;
        });
        Assert.Equal(expected, Values(y)); // exact: a copy, not a resampling
    }

    [Fact]
    public void Weak_is_an_exact_translation_within_max_shift_drawn_per_image()
    {
        const int B = 16, maxShift = 2;
        using var one = Noise(2, 1, 1, 7, 7);
        using var x = one.expand(B, 1, 7, 7).contiguous();
        using var g = Augment.GeneratorFor(1, 0, 0, 0);
        using var y = Augment.Weak(x, g, maxShift);
        var shifts = new HashSet<(int, int)>();
        for (int b = 0; b < B; b++)
        {
            using var view = y.narrow(0, b, 1);
            var match = (from dx in Enumerable.Range(-maxShift, 2 * maxShift + 1)
                         from dy in Enumerable.Range(-maxShift, 2 * maxShift + 1)
                         let t = Augment.Translate(one, Ints(dx), Ints(dy))
                         where t.equal(view).all().item<bool>()
                         select (dx, dy)).ToList();
            Assert.Single(match); // the noise image has no two shifts alike
            shifts.Add(match[0]);
        }
        Assert.True(shifts.Count > 4, $"only {shifts.Count} distinct shifts in {B} images");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public void Cutout_blanks_exactly_the_square_of_the_stated_side_at_the_stated_centre(int side)
    {
        const int B = 4, C = 2, H = 7, W = 8;
        using var x = Noise(3, B, C, H, W);
        long[] cy = [3, 0, 6, 2], cx = [4, 0, 7, 1]; // inside, two corners (clipped), near the left edge
        using var y = Augment.Cutout(x, Ints(cy), Ints(cx), side);
        var xs = Values(x);
        var expected = ByPixel(x.shape, (b, c, i, j) =>
        {
            long top = cy[b] - side / 2, left = cx[b] - side / 2;
            bool blank = i >= top && i < top + side && j >= left && j < left + side;
            return blank ? 0f : xs[Flat(x.shape, b, c, i, j)];
        });
        Assert.Equal(expected, Values(y));
        // The unclipped square really has side² pixels per channel.
        Assert.Equal(side * side * C, (long)Values(y.narrow(0, 0, 1)).Count(v => v == 0f));
    }

    public static TheoryData<string> AllOps => new(Ops.Keys);

    /// <summary>Every op at the ends of its range and in between, as Strong would call it, plus Weak, Strong and Apply.</summary>
    static readonly Dictionary<string, Func<Tensor, Tensor>> Ops = new()
    {
        ["identity"] = Augment.Identity,
        ["translate"] = x => Augment.Translate(x, Ints(-2, 0, 1, 2), Ints(2, -1, 0, -2)),
        ["rotate"] = x => Augment.Rotate(x, Params(-30, 0, 17, 30)),
        ["shearX"] = x => Augment.ShearX(x, Params(-0.3, 0, 0.1, 0.3)),
        ["shearY"] = x => Augment.ShearY(x, Params(-0.3, 0, 0.1, 0.3)),
        ["translateX"] = x => Augment.TranslateX(x, Params(-0.3, 0, 0.13, 0.3)),
        ["translateY"] = x => Augment.TranslateY(x, Params(-0.3, 0, 0.13, 0.3)),
        ["brightness"] = x => Augment.Brightness(x, Params(0.05, 1, 1.3, 1.95)),
        ["contrast"] = x => Augment.Contrast(x, Params(0.05, 1, 1.3, 1.95)),
        ["sharpness"] = x => Augment.Sharpness(x, Params(0.05, 1, 1.3, 1.95)),
        ["posterize"] = x => Augment.Posterize(x, Params(4, 5, 7, 8)),
        ["solarize"] = x => Augment.Solarize(x, Params(0, 0.3, 0.7, 1)),
        ["equalize"] = Augment.Equalize,
        ["autoContrast"] = Augment.AutoContrast,
        ["cutout"] = x => Augment.Cutout(x, Ints(0, 3, 5, 8), Ints(0, 4, 6, 1), Ints(1, 3, 14, 4)),
        ["weak"] = x => { using var g = Augment.GeneratorFor(0, 0, 0, 0); return Augment.Weak(x, g); },
        ["strong"] = x => { using var g = Augment.GeneratorFor(0, 0, 0, 1); return Augment.Strong(x, g, new(Ops: 4)); },
        ["applyStrong"] = x => { using var g = Augment.GeneratorFor(0, 0, 0, 2); return Augment.Apply(x, Augmentation.Strong, g); },
    };

    [Theory]
    [MemberData(nameof(AllOps))]
    public void Every_op_keeps_shape_dtype_and_the_range(string op)
    {
        // Two channels, not square, with both ends of the range present.
        using var x32 = Noise(4, 4, 2, 9, 11).index_put_(-1f, TensorIndex.Ellipsis, 0, 0).index_put_(1f, TensorIndex.Ellipsis, 1, 1);
        using var x64 = x32.to(ScalarType.Float64);
        foreach (var x in new[] { x32, x64 })
        {
            using var y = Ops[op](x);
            Assert.Equal(x.shape, y.shape);
            Assert.Equal(x.dtype, y.dtype);
            Assert.False(y.isnan().any().item<bool>());
            double lo = y.min().to(ScalarType.Float64).item<double>(), hi = y.max().to(ScalarType.Float64).item<double>();
            Assert.True(lo >= -1 && hi <= 1, $"{op}: [{lo}, {hi}]");
            Assert.NotSame(x, y);
        }
    }

    [Fact]
    public void Posterize_keeps_the_top_bits_of_the_8_bit_value_per_image()
    {
        int[] p = [0, 15, 16, 17, 100, 127, 128, 255];
        using var x = FromBytes([.. p, .. p], 2, 1, 2, 4);
        using var y = Augment.Posterize(x, Params(4, 6));
        float[] expected = [.. p.Select(v => (v & 0xF0) / 127.5f - 1f), .. p.Select(v => (v & 0xFC) / 127.5f - 1f)];
        Near(expected, y, 1e-6);
    }

    [Fact]
    public void Solarize_inverts_the_values_at_or_above_the_threshold()
    {
        double[] u = [0, 0.25, 0.4999, 0.5, 0.75, 1];
        using var x = tensor(u.Concat(u).Select(v => (float)(2 * v - 1)).ToArray(), [2, 1, 1, 6]);
        using var y = Augment.Solarize(x, Params(0.5, 0));
        var expected = u.Select(v => v >= 0.5 ? 1 - v : v).Concat(u.Select(v => 1 - v)).Select(v => (float)(2 * v - 1)).ToArray();
        Near(expected, y, 1e-6);
    }

    [Fact]
    public void AutoContrast_stretches_each_channel_min_max_to_the_full_range_and_leaves_a_constant_one()
    {
        double[] a = [0.2, 0.3, 0.6, 0.5], flat = [0.4, 0.4, 0.4, 0.4];
        using var x = tensor(a.Concat(flat).Select(v => (float)(2 * v - 1)).ToArray(), [1, 2, 2, 2]);
        using var y = Augment.AutoContrast(x);
        var expected = a.Select(v => (v - 0.2) / 0.4).Concat(flat).Select(v => (float)(2 * v - 1)).ToArray();
        Near(expected, y, 1e-6);
    }

    /// <summary>torchvision's equalisation of one 8-bit channel, written out as its definition reads.</summary>
    static int[] EqualizeByDefinition(int[] v)
    {
        var hist = new int[256];
        foreach (int p in v) hist[p]++;
        int step = (v.Length - hist[v.Max()]) / 255;
        if (step == 0) return v;
        var lut = new int[256];
        for (int i = 0, below = 0; i < 256; below += hist[i], i++) lut[i] = Math.Min(255, (below + step / 2) / step);
        return v.Select(p => lut[p]).ToArray();
    }

    [Fact]
    public void Equalize_matches_hand_computed_lookup_tables()
    {
        // 512 pixels per image. (1) step ⌊(512 − 62)/255⌋ = 1: 5 → 0, 60 → 300 → 255, 90 → 450 → 255.
        // (2) step ⌊(512 − 1)/255⌋ = 2: 0 → ⌊1/2⌋ = 0, 7 → ⌊257/2⌋ = 128, 9 → ⌊512/2⌋ → 255.
        // (3) step ⌊100/255⌋ = 0: unchanged.
        int[] Fill(params (int Count, int Value)[] runs) => runs.SelectMany(r => Enumerable.Repeat(r.Value, r.Count)).ToArray();
        int[][] images = [Fill((300, 5), (150, 60), (62, 90)), Fill((256, 0), (255, 7), (1, 9)), Fill((100, 1), (412, 250))];
        int[][] expected = [Fill((300, 0), (150, 255), (62, 255)), Fill((256, 0), (255, 128), (1, 255)), images[2]];
        var shuffle = new Random(5);
        foreach (var i in new[] { 0, 1, 2 }) // pixel order must not matter
        {
            var order = Enumerable.Range(0, 512).OrderBy(_ => shuffle.Next()).ToArray();
            images[i] = order.Select(k => images[i][k]).ToArray();
            expected[i] = order.Select(k => expected[i][k]).ToArray();
        }
        using var x = FromBytes(images.SelectMany(v => v).ToArray(), 3, 1, 16, 32);
        using var y = Augment.Equalize(x);
        Near(expected.SelectMany(v => v).Select(v => v / 127.5f - 1f).ToArray(), y, 1e-6);
        for (int i = 0; i < 3; i++) Assert.Equal(expected[i], EqualizeByDefinition(images[i]));
        // Too few pixels for a step of 1: returned as it is, not rounded to 8 bits.
        using var small = Noise(13, 2, 1, 4, 4);
        Assert.Equal(Values(small), Values(Augment.Equalize(small)));
    }

    [Fact]
    public void Equalize_matches_its_definition_per_image_and_channel_on_random_images()
    {
        var rng = new Random(6);
        const int B = 3, C = 2, N = 20 * 20;
        var bytes = Enumerable.Range(0, B * C).Select(k => Enumerable.Range(0, N).Select(_ => Math.Min(255, rng.Next(40 * (k + 1)))).ToArray()).ToArray();
        using var x = FromBytes(bytes.SelectMany(v => v).ToArray(), B, C, 20, 20);
        using var y = Augment.Equalize(x);
        Near(bytes.SelectMany(EqualizeByDefinition).Select(v => v / 127.5f - 1f).ToArray(), y, 1e-6);
    }

    [Fact]
    public void Brightness_and_contrast_blend_with_black_and_with_the_mean_grey()
    {
        double[] u = [0.1, 0.4, 0.7, 0.9];
        double mean = u.Average();
        using var x = tensor(u.Concat(u).Select(v => (float)(2 * v - 1)).ToArray(), [2, 1, 2, 2]);
        double[] f = [0.5, 1.5];
        using var bright = Augment.Brightness(x, Params(f));
        using var contrast = Augment.Contrast(x, Params(f));
        float[] Expect(Func<double, double, double> op) =>
            f.SelectMany(fi => u.Select(v => (float)(2 * Math.Clamp(op(v, fi), 0, 1) - 1))).ToArray();
        Near(Expect((v, fi) => v * fi), bright, 1e-6);
        Near(Expect((v, fi) => mean + fi * (v - mean)), contrast, 1e-6);
    }

    [Fact]
    public void Sharpness_blends_with_the_13_weight_smoothing_keeping_the_border()
    {
        const int S = 5;
        var rng = new Random(7);
        var u = Enumerable.Range(0, S * S).Select(_ => rng.NextDouble()).ToArray();
        double[] factors = [0, 0.5, 1.8];
        var degenerate = (double[])u.Clone();
        for (int i = 1; i < S - 1; i++)
            for (int j = 1; j < S - 1; j++)
            {
                double sum = 4 * u[i * S + j];
                for (int di = -1; di <= 1; di++) for (int dj = -1; dj <= 1; dj++) sum += u[(i + di) * S + j + dj];
                degenerate[i * S + j] = sum / 13;
            }
        using var x = tensor(factors.SelectMany(_ => u).Select(v => (float)(2 * v - 1)).ToArray(), [factors.Length, 1, S, S]);
        using var y = Augment.Sharpness(x, Params(factors));
        var expected = factors.SelectMany(f => u.Select((v, k) => (float)(2 * Math.Clamp(degenerate[k] + f * (v - degenerate[k]), 0, 1) - 1))).ToArray();
        Near(expected, y, 1e-6);
    }

    [Fact]
    public void Rotating_a_square_image_by_90_degrees_is_a_transpose_and_flip()
    {
        using var x = Noise(8, 2, 1, 6, 6);
        using var ccw = Augment.Rotate(x, Params(90, 90));
        using var cw = Augment.Rotate(x, Params(-90, -90));
        Near(Values(x.transpose(2, 3).flip(2)), ccw, 1e-5); // counter-clockwise: the top row comes from the right column
        Near(Values(x.transpose(2, 3).flip(3)), cw, 1e-5);
    }

    [Fact]
    public void Fractional_translation_and_shear_by_whole_pixels_agree_with_the_exact_translation()
    {
        const int S = 5;
        using var x = Noise(9, 2, 1, S, S);
        using var tx = Augment.TranslateX(x, Params(1.0 / S, -2.0 / S));
        using var ty = Augment.TranslateY(x, Params(-1.0 / S, 3.0 / S));
        Near(Values(Augment.Translate(x, Ints(1, -2), Ints(0, 0))), tx, 1e-5);
        Near(Values(Augment.Translate(x, Ints(0, 0), Ints(-1, 3))), ty, 1e-5);
        // ShearX by s = 1: the row Y pixels below the centre is read from Y pixels to its right, i.e. moved left by Y.
        using var sheared = Augment.ShearX(x, Params(1, 1));
        for (int i = 0; i < S; i++)
        {
            int y = i - S / 2;
            using var row = Augment.Translate(x, Ints(-y, -y), Ints(0, 0)).narrow(2, i, 1);
            Near(Values(row), sheared.narrow(2, i, 1), 1e-5);
        }
        using var shearedY = Augment.ShearY(x, Params(1, 1));
        using var transposed = Augment.ShearX(x.transpose(2, 3), Params(1, 1)).transpose(2, 3);
        Near(Values(transposed), shearedY, 1e-5);
    }

    [Fact]
    public void Identity_parameters_leave_the_image_unchanged()
    {
        // 8-bit values with both ends present, so AutoContrast and Posterize(8) have nothing to do.
        var p = Enumerable.Range(0, 2 * 49).Select(k => k * 37 % 256).ToArray();
        p[0] = 0; p[1] = 255; p[49] = 0; p[50] = 255;
        using var x = FromBytes(p, 2, 1, 7, 7);
        var xs = Values(x);
        Assert.Equal(xs, Values(Augment.Identity(x)));
        Assert.Equal(xs, Values(Augment.Translate(x, Ints(0, 0), Ints(0, 0))));
        Assert.Equal(xs, Values(Augment.Cutout(x, Ints(3, 3), Ints(3, 3), 0)));
        foreach (var (name, y) in new (string, Tensor)[]
        {
            ("rotate", Augment.Rotate(x, Params(0, 0))), ("shearX", Augment.ShearX(x, Params(0, 0))),
            ("shearY", Augment.ShearY(x, Params(0, 0))), ("translateX", Augment.TranslateX(x, Params(0, 0))),
            ("translateY", Augment.TranslateY(x, Params(0, 0))), ("brightness", Augment.Brightness(x, Params(1, 1))),
            ("contrast", Augment.Contrast(x, Params(1, 1))), ("sharpness", Augment.Sharpness(x, Params(1, 1))),
            ("posterize", Augment.Posterize(x, Params(8, 8))), ("solarize", Augment.Solarize(x, Params(1.01, 1.01))),
            ("autoContrast", Augment.AutoContrast(x)),
        })
            Near(xs, y, 1e-6);
        using var none = Augment.GeneratorFor(0, 0, 0, 0);
        Assert.Equal(xs, Values(Augment.Weak(x, none, maxShift: 0)));
        Assert.Equal(xs, Values(Augment.Strong(x, none, new(Ops: 0, CutoutFraction: 0, MaxShift: 0))));
    }

    static float[] View(Augmentation kind, int seed, int epoch, int step, int view)
    {
        using var x = Noise(10, 6, 1, 12, 12);
        using var g = Augment.GeneratorFor(seed, epoch, step, view);
        using var y = Augment.Apply(x, kind, g);
        return Values(y);
    }

    [Theory]
    [InlineData(Augmentation.Weak)]
    [InlineData(Augmentation.Strong)]
    public void The_same_seed_epoch_step_and_view_give_the_same_views_and_any_other_gives_others(Augmentation kind)
    {
        var reference = View(kind, 1, 2, 3, 0);
        Assert.Equal(reference, View(kind, 1, 2, 3, 0));
        Assert.NotEqual(reference, View(kind, 2, 2, 3, 0));
        Assert.NotEqual(reference, View(kind, 1, 3, 3, 0));
        Assert.NotEqual(reference, View(kind, 1, 2, 4, 0));
        Assert.NotEqual(reference, View(kind, 1, 2, 3, 1));
    }

    [Fact]
    public void Generator_seeds_differ_for_each_component_and_fit_the_32_bits_libtorch_keeps()
    {
        var tuples = from s in Enumerable.Range(0, 4) from e in Enumerable.Range(0, 10) from st in Enumerable.Range(0, 200) from v in Enumerable.Range(0, 3)
                     select Augment.SeedFor(s, e, st, v);
        var seeds = tuples.ToList();
        Assert.Equal(seeds.Count, seeds.Distinct().Count());
        Assert.All(seeds, s => Assert.True(s <= uint.MaxValue));
        Assert.NotEqual(Augment.SeedFor(1, 2, 3, 4), Augment.SeedFor(4, 3, 2, 1)); // order matters
        Assert.NotEqual(Augment.SeedFor(-1, 0, 0, 0), Augment.SeedFor(1, 0, 0, 0));
    }

    [Fact]
    public void Augmenting_leaves_torchs_global_random_stream_where_it_was()
    {
        using var x = Noise(11, 8, 1, 10, 10);
        torch.random.manual_seed(123);
        using var before = torch.random.get_rng_state();
        using (var g = Augment.GeneratorFor(0, 0, 0, 0))
        {
            Augment.Weak(x, g).Dispose();
            Augment.Strong(x, g, new(Ops: 6)).Dispose();
            Augment.Apply(x, Augmentation.Strong, g).Dispose();
        }
        using var after = torch.random.get_rng_state();
        Assert.True(before.equal(after).all().item<bool>());
    }

    [Theory]
    [InlineData(2, 0.5, 2)]
    [InlineData(2, 0, 0)] // the RandAugment ops alone, without the per-image shift and Cutout
    public void Identical_images_in_one_batch_get_different_strong_views(int ops, double cutout, int maxShift)
    {
        const int B = 8;
        using var one = Noise(12, 1, 1, 12, 12);
        using var x = one.expand(B, 1, 12, 12).contiguous();
        using var g = Augment.GeneratorFor(3, 0, 0, 1);
        using var strong = Augment.Strong(x, g, new(ops, cutout, maxShift));
        var views = Enumerable.Range(0, B).Select(b => Values(strong.narrow(0, b, 1))).ToList();
        for (int a = 0; a < B; a++)
            for (int b = a + 1; b < B; b++)
                Assert.NotEqual(views[a], views[b]);
    }

    [Fact]
    public void Bad_input_is_refused_with_a_message_naming_it()
    {
        using var g = Augment.GeneratorFor(0, 0, 0, 0);
        using var flat = zeros(4, 784);
        Assert.Contains("[B, C, H, W]", Assert.Throws<ArgumentException>(() => Augment.Weak(flat, g)).Message);
        using var x = zeros(4, 1, 5, 5);
        Assert.Contains("shape [4]", Assert.Throws<ArgumentException>(() => Augment.Rotate(x, Params(1, 2))).Message);
        Assert.Contains("cutoutFraction", Assert.Throws<ArgumentException>(() => Augment.Strong(x, g, new(CutoutFraction: 2))).Message);
    }
}
