using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SemiGan.Training;

// Batched, digit-safe (no flips) augmentation for images x: [B, C, H, W], floating point in [-1, 1], -1 the
// background (as ImageDataset stores MNIST / Fashion-MNIST: x = p/127.5 − 1 for 8-bit p).
//
//   Augment.Apply(x, Augmentation.Weak | Strong, g, options)  the harness's entry point
//   Augment.Weak(x, g, maxShift)       integer translation in [−maxShift, maxShift] per axis, per image
//   Augment.Strong(x, g, options)      weak translation, then RandAugment (FixMatch's variant: options.Ops ops per image,
//                                      uniformly with replacement, each at a uniform random magnitude), then Cutout
//   Augment.GeneratorFor(seed, epoch, step, view)   the generator a (seed, epoch, step, view) draws from
//
// Every op takes per-image parameters as 1-D tensors of length B (any device; moved to x's), returns a new tensor
// of x's shape and dtype with values in [−1, 1], and works on x.device without per-pixel C# loops. Random ops draw
// only from the given torch.Generator (on the CPU; the per-image parameters are small), never from torch's global
// stream, so adding augmentation to a method leaves every other draw of a run where it was.
// TorchVision's RandAugment picks one op for a whole call, so a batch would share it: hence these batched ops.

/// <summary>Which view of an image a method asks for.</summary>
public enum Augmentation { Weak, Strong }

/// <summary>
/// The strong view: <paramref name="Ops"/> RandAugment ops per image; then Cutout of a square whose side is a
/// uniform fraction in (0, <paramref name="CutoutFraction"/>] of the image side (rounded up to whole pixels, 0 turns
/// Cutout off); the weak translation by up to <paramref name="MaxShift"/> pixels comes first, as FixMatch's strong
/// view includes its weak flip-and-crop.
/// </summary>
public sealed record StrongAugmentOptions(int Ops = 2, double CutoutFraction = 0.5, int MaxShift = 2)
{
    /// <summary>The first bad field (by its JSON name) and why, or null.</summary>
    public (string Field, string Message)? FirstError() =>
        Ops < 0 ? ("ops", $"must be a whole number ≥ 0 (got {Ops})")
        : !(CutoutFraction >= 0 && CutoutFraction <= 1) ? ("cutoutFraction", $"must be in [0, 1] (got {CutoutFraction})")
        : MaxShift < 0 ? ("maxShift", $"must be a whole number ≥ 0 (got {MaxShift})")
        : null;
}

public static class Augment
{
    /// <summary>
    /// A generator seeded by SplitMix64's finaliser chained over the four numbers,
    /// h = M(M(M(M(seed) ⊕ epoch) ⊕ step) ⊕ view) with M(z) = splitmix64(z + 0x9E3779B97F4A7C15) (each int taken
    /// as its 32-bit pattern), folded to 32 bits as (h ⊕ h ≫ 32) mod 2³², because libtorch's CPU generator (mt19937)
    /// keeps only a seed's low 32 bits. M is a bijection, so two tuples that differ only in view (or only in the last
    /// differing number) differ before the fold; across many tuples a 32-bit collision has odds ≈ n²/2³³, and would
    /// only make two batches share augmentation parameters. Dispose the generator after use.
    /// </summary>
    public static torch.Generator GeneratorFor(int seed, int epoch, int step, int view) =>
        new(SeedFor(seed, epoch, step, view));

    /// <summary>The seed <see cref="GeneratorFor"/> uses (below 2³²).</summary>
    public static ulong SeedFor(int seed, int epoch, int step, int view)
    {
        ulong h = Mix((uint)seed);
        h = Mix(h ^ (uint)epoch);
        h = Mix(h ^ (uint)step);
        h = Mix(h ^ (uint)view);
        return (h ^ (h >> 32)) & 0xFFFF_FFFFUL;
    }

    static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public static Tensor Apply(Tensor x, Augmentation kind, torch.Generator g, StrongAugmentOptions? o = null) => kind switch
    {
        Augmentation.Weak => Weak(x, g, (o ?? new()).MaxShift),
        Augmentation.Strong => Strong(x, g, o),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not an augmentation"),
    };

    /// <summary>Translation by whole pixels, dx and dy uniform in [−maxShift, maxShift] per image (background fills in).</summary>
    public static Tensor Weak(Tensor x, torch.Generator g, int maxShift = 2)
    {
        Check(x);
        if (maxShift < 0) throw new ArgumentOutOfRangeException(nameof(maxShift), maxShift, "maxShift must be ≥ 0");
        using var scope = NewDisposeScope();
        var (dx, dy) = DrawShifts(x.shape[0], maxShift, g);
        return Translate(x, dx, dy).MoveToOuterDisposeScope();
    }

    /// <summary>Weak translation, then <see cref="StrongAugmentOptions.Ops"/> RandAugment ops per image, then Cutout.</summary>
    public static Tensor Strong(Tensor x, torch.Generator g, StrongAugmentOptions? o = null)
    {
        Check(x);
        o ??= new();
        if (o.FirstError() is { } e) throw new ArgumentException($"StrongAugmentOptions.{e.Field} {e.Message}", nameof(o));
        using var scope = NewDisposeScope();
        long b = x.shape[0], h = x.shape[2], w = x.shape[3];
        var (dx, dy) = DrawShifts(b, o.MaxShift, g);
        var y = Translate(x, dx, dy); // a new tensor, so the ops below may write into it
        for (int slot = 0; slot < o.Ops; slot++)
        {
            var op = randint(0, OpCount, [b], dtype: ScalarType.Int64, generator: g);
            var r = rand([b], dtype: ScalarType.Float64, generator: g);
            // The geometric ops are one affine map each: build every image's map, then resample them in one call.
            var geometric = (op >= FirstGeometric & op < FirstGeometric + Geometric.Length).nonzero().view(-1);
            if (geometric.numel() > 0)
            {
                var theta = zeros(geometric.shape[0], 2, 3, dtype: ScalarType.Float64);
                var opOf = op.index_select(0, geometric);
                for (int k = 0; k < Geometric.Length; k++)
                {
                    var at = (opOf == FirstGeometric + k).nonzero().view(-1);
                    if (at.numel() > 0) theta.index_copy_(0, at, Geometric[k].Theta(r.index_select(0, geometric.index_select(0, at)), h, w));
                }
                var onDevice = geometric.to(x.device);
                y.index_copy_(0, onDevice, Warp(y.index_select(0, onDevice), theta));
            }
            for (int k = 0; k < Photometric.Length; k++)
            {
                var idx = (op == FirstPhotometric + k).nonzero().view(-1);
                if (idx.numel() == 0) continue;
                var onDevice = idx.to(x.device);
                y.index_copy_(0, onDevice, Photometric[k].Apply(y.index_select(0, onDevice), r.index_select(0, idx)));
            }
        }
        if (o.CutoutFraction > 0)
        {
            long side = Math.Min(x.shape[2], x.shape[3]);
            // ceil(u·f·side) with u in (0, 1]: a side in [1, ceil(f·side)].
            var sides = (1 - rand([b], dtype: ScalarType.Float64, generator: g)).mul_(o.CutoutFraction * side).ceil_().clamp_min_(1).to(ScalarType.Int64);
            var cy = randint(0, x.shape[2], [b], dtype: ScalarType.Int64, generator: g);
            var cx = randint(0, x.shape[3], [b], dtype: ScalarType.Int64, generator: g);
            y = Cutout(y, cy, cx, sides);
        }
        return y.MoveToOuterDisposeScope();
    }

    // The RandAugment ops in the order Strong numbers them (0 identity, then geometric, then photometric), each
    // with its map from a uniform r in [0, 1) to its magnitude (FixMatch's ranges; enhancement factors 1 ± 0.95).
    const int FirstGeometric = 1;
    static readonly (string Name, Func<Tensor, long, long, Tensor> Theta)[] Geometric =
    [
        ("rotate", (r, h, w) => RotateTheta(Between(r, -30, 30), h, w)),
        ("shearX", (r, h, w) => ShearXTheta(Between(r, -0.3, 0.3), h, w)),
        ("shearY", (r, h, w) => ShearYTheta(Between(r, -0.3, 0.3), h, w)),
        ("translateX", (r, _, _) => TranslateXTheta(Between(r, -0.3, 0.3))),
        ("translateY", (r, _, _) => TranslateYTheta(Between(r, -0.3, 0.3))),
    ];
    static readonly int FirstPhotometric = FirstGeometric + Geometric.Length;
    static readonly (string Name, Func<Tensor, Tensor, Tensor> Apply)[] Photometric =
    [
        ("brightness", (x, r) => Brightness(x, Between(r, 0.05, 1.95))),
        ("contrast", (x, r) => Contrast(x, Between(r, 0.05, 1.95))),
        ("sharpness", (x, r) => Sharpness(x, Between(r, 0.05, 1.95))),
        ("posterize", (x, r) => Posterize(x, (r * 5).floor_().add_(4))), // bits 4..8
        ("solarize", (x, r) => Solarize(x, r)),                            // threshold in [0, 1)
        ("equalize", (x, _) => Equalize(x)),
        ("autoContrast", (x, _) => AutoContrast(x)),
    ];
    static readonly int OpCount = FirstPhotometric + Photometric.Length;

    /// <summary>The RandAugment op names, in the order Strong numbers them.</summary>
    public static IReadOnlyList<string> StrongOpNames { get; } =
        ["identity", .. Geometric.Select(op => op.Name), .. Photometric.Select(op => op.Name)];

    static Tensor Between(Tensor r, double lo, double hi) => r * (hi - lo) + lo;

    static (Tensor Dx, Tensor Dy) DrawShifts(long b, int maxShift, torch.Generator g) =>
        (randint(-maxShift, maxShift + 1, [b], dtype: ScalarType.Int64, generator: g),
         randint(-maxShift, maxShift + 1, [b], dtype: ScalarType.Int64, generator: g));

    // ---- geometric ops ----

    /// <summary>
    /// Exact translation by whole pixels: out[b, c, i, j] = x[b, c, i − dy[b], j − dx[b]], background (−1) where that
    /// falls outside. Positive dx moves the image right, positive dy down. Pad, then gather rows and columns.
    /// </summary>
    public static Tensor Translate(Tensor x, Tensor dx, Tensor dy)
    {
        Check(x);
        using var scope = NewDisposeScope();
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        var sx = PerImage(dx, b, x.device, ScalarType.Int64).clamp(-w, w);
        var sy = PerImage(dy, b, x.device, ScalarType.Int64).clamp(-h, h);
        long p = Math.Max(sx.abs().max().item<long>(), sy.abs().max().item<long>());
        if (p == 0) return x.clone().MoveToOuterDisposeScope();
        var padded = F.pad(x, [p, p, p, p], value: -1.0);
        var rows = arange(h, device: x.device).unsqueeze(0) + p - sy.unsqueeze(1); // [B, H]
        var cols = arange(w, device: x.device).unsqueeze(0) + p - sx.unsqueeze(1); // [B, W]
        var byRow = padded.gather(2, rows.view(b, 1, h, 1).expand(b, c, h, w + 2 * p));
        return byRow.gather(3, cols.view(b, 1, 1, w).expand(b, c, h, w)).MoveToOuterDisposeScope();
    }

    /// <summary>Rotation by <paramref name="degrees"/> counter-clockwise about the image centre (PIL's sense).</summary>
    public static Tensor Rotate(Tensor x, Tensor degrees) => Warp(x, degrees, RotateTheta);

    /// <summary>Shear about the centre: the pixel at (X, Y) comes from (X + s·Y, Y), origin at the centre (torchvision's convention, not PIL's corner).</summary>
    public static Tensor ShearX(Tensor x, Tensor s) => Warp(x, s, ShearXTheta);

    /// <summary>Shear about the centre: the pixel at (X, Y) comes from (X, Y + s·X).</summary>
    public static Tensor ShearY(Tensor x, Tensor s) => Warp(x, s, ShearYTheta);

    /// <summary>Translation right by <paramref name="fraction"/> of the width (any real; bilinear).</summary>
    public static Tensor TranslateX(Tensor x, Tensor fraction) => Warp(x, fraction, (t, _, _) => TranslateXTheta(t));

    /// <summary>Translation down by <paramref name="fraction"/> of the height (any real; bilinear).</summary>
    public static Tensor TranslateY(Tensor x, Tensor fraction) => Warp(x, fraction, (t, _, _) => TranslateYTheta(t));

    // Each map takes an output point q to the input point it samples, in affine_grid's units (each axis spans [−1, 1]),
    // from per-image float64 parameters [B].

    static Tensor RotateTheta(Tensor degrees, long h, long w)
    {
        var a = degrees * (Math.PI / 180);
        var (cos, sin) = (a.cos(), a.sin());
        return Theta(cos, -sin * ((double)h / w), 0, sin * ((double)w / h), cos, 0); // R(−angle)·q in pixel units
    }

    static Tensor ShearXTheta(Tensor s, long h, long w) => Theta(1, s * ((double)h / w), 0, 0, 1, 0);
    static Tensor ShearYTheta(Tensor s, long h, long w) => Theta(1, 0, 0, s * ((double)w / h), 1, 0);
    static Tensor TranslateXTheta(Tensor t) => Theta(1, 0, -2 * t, 0, 1, 0); // the width spans 2 units
    static Tensor TranslateYTheta(Tensor t) => Theta(1, 0, 0, 0, 1, -2 * t);

    /// <summary>[B, 2, 3] from six entries, each a per-image float64 tensor [B] or a constant.</summary>
    static Tensor Theta(params object[] entries)
    {
        long b = entries.OfType<Tensor>().First().shape[0];
        return stack(entries.Select(e => e as Tensor ?? full(b, Convert.ToDouble(e), ScalarType.Float64)).ToArray(), 1).view(b, 2, 3);
    }

    static Tensor Warp(Tensor x, Tensor parameter, Func<Tensor, long, long, Tensor> theta)
    {
        Check(x);
        using var scope = NewDisposeScope();
        var p = PerImage(parameter, x.shape[0], CPU, ScalarType.Float64);
        return Warp(x, theta(p, x.shape[2], x.shape[3])).MoveToOuterDisposeScope();
    }

    /// <summary>Bilinear resampling along affine maps [B, 2, 3]; outside the image reads background: sample x + 1 with zero padding, then − 1.</summary>
    static Tensor Warp(Tensor x, Tensor theta)
    {
        var t = theta.to(x.dtype, x.device);
        var grid = F.affine_grid(t, x.shape, align_corners: false);
        return F.grid_sample(x + 1, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false)
            .sub_(1).clamp_(-1, 1);
    }

    // ---- photometric ops, on u = (x + 1)/2 in [0, 1] ----

    /// <summary>PIL's Brightness: u·f (a blend with black), clamped to [0, 1].</summary>
    public static Tensor Brightness(Tensor x, Tensor factor)
    {
        Check(x);
        using var scope = NewDisposeScope();
        return FromUnit((ToUnit(x) * Factor(factor, x)).clamp_(0, 1)).MoveToOuterDisposeScope();
    }

    /// <summary>Contrast: m + f·(u − m), m each image's mean grey (over all its channels), clamped to [0, 1].</summary>
    public static Tensor Contrast(Tensor x, Tensor factor)
    {
        Check(x);
        using var scope = NewDisposeScope();
        var u = ToUnit(x);
        var m = u.mean([1, 2, 3], keepdim: true);
        return FromUnit(Blend(u, m, Factor(factor, x))).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// PIL's Sharpness: d + f·(u − d), where d is u smoothed by [[1,1,1],[1,5,1],[1,1,1]]/13 per channel with its
    /// border pixels left as they are; clamped to [0, 1]. Images smaller than 3×3 are returned unchanged.
    /// </summary>
    public static Tensor Sharpness(Tensor x, Tensor factor)
    {
        Check(x);
        using var scope = NewDisposeScope();
        long h = x.shape[2], w = x.shape[3];
        if (h < 3 || w < 3) return x.clone().MoveToOuterDisposeScope();
        var u = ToUnit(x);
        // (3×3 box sum + 4·centre)/13: the kernel, as an average pool (a 3×3 conv2d per channel is several times slower here).
        var centre = u.narrow(2, 1, h - 2).narrow(3, 1, w - 2);
        var blurred = F.avg_pool2d(u, 3, stride: 1).mul_(9).add_(centre, alpha: 4).div_(13);
        var degenerate = u.clone();
        degenerate.narrow(2, 1, h - 2).narrow(3, 1, w - 2).copy_(blurred);
        return FromUnit(Blend(u, degenerate, Factor(factor, x))).MoveToOuterDisposeScope();
    }

    /// <summary>Keeps the top <paramref name="bits"/> (per image, 1..8) of the 8-bit value round(255·u).</summary>
    public static Tensor Posterize(Tensor x, Tensor bits)
    {
        Check(x);
        using var scope = NewDisposeScope();
        var step = pow(2.0, 8 - Factor(bits, x)); // 2^(8 − bits)
        var v = Bytes(x).div_(step).floor_().mul_(step);
        return FromUnit(v / 255).MoveToOuterDisposeScope();
    }

    /// <summary>Inverts (u → 1 − u) every value with u ≥ <paramref name="threshold"/> (per image, in [0, 1]).</summary>
    public static Tensor Solarize(Tensor x, Tensor threshold)
    {
        Check(x);
        using var scope = NewDisposeScope();
        return where(ToUnit(x) >= Factor(threshold, x), -x, x).MoveToOuterDisposeScope(); // 1 − u is −x in [−1, 1]
    }

    /// <summary>
    /// Histogram equalisation of the 8-bit image v = round(255·u), per image and channel, by torchvision's definition:
    /// step = ⌊(N − count of the highest value present) / 255⌋; if 0 the channel is returned as it is, else
    /// lut[i] = ⌊(#pixels below i + ⌊step/2⌋) / step⌋ clamped to 255. (PIL's differs only in dividing by 256.)
    /// </summary>
    public static Tensor Equalize(Tensor x)
    {
        Check(x);
        using var scope = NewDisposeScope();
        long b = x.shape[0], c = x.shape[1], n = x.shape[2] * x.shape[3];
        var v = Bytes(x).to(ScalarType.Int64).view(b * c, n);
        var hist = zeros(b * c, 256, dtype: ScalarType.Int64, device: x.device).scatter_add_(1, v, ones_like(v));
        var top = hist.gather(1, v.amax([1], keepdim: true));
        var step = (n - top).div(255, rounding_mode: RoundingMode.floor);
        var below = hist.cumsum(1) - hist;
        var lut = (below + step.div(2, rounding_mode: RoundingMode.floor))
            .div(step.clamp_min(1), rounding_mode: RoundingMode.floor).clamp_(0, 255);
        var equalized = FromUnit(lut.gather(1, v).to(x.dtype).div_(255).view(x.shape));
        return where(step.view(b, c, 1, 1) == 0, x, equalized).MoveToOuterDisposeScope();
    }

    /// <summary>Per image and channel, stretches [min, max] to [0, 1]; a constant channel is left unchanged.</summary>
    public static Tensor AutoContrast(Tensor x)
    {
        Check(x);
        using var scope = NewDisposeScope();
        var u = ToUnit(x);
        var lo = u.amin([2, 3], keepdim: true);
        var range = u.amax([2, 3], keepdim: true) - lo;
        var flat = range == 0;
        var stretched = ((u - lo) / where(flat, ones_like(range), range)).clamp_(0, 1);
        return where(flat, x, FromUnit(stretched)).MoveToOuterDisposeScope();
    }

    /// <summary>An unchanged copy.</summary>
    public static Tensor Identity(Tensor x) { Check(x); return x.clone(); }

    /// <summary>
    /// Sets to 0 (mid grey) the square of side <paramref name="side"/> (per image) whose rows are
    /// [cy − ⌊side/2⌋, cy − ⌊side/2⌋ + side) and columns likewise around cx, clipped to the image.
    /// </summary>
    public static Tensor Cutout(Tensor x, Tensor centresY, Tensor centresX, Tensor side)
    {
        Check(x);
        using var scope = NewDisposeScope();
        long b = x.shape[0], h = x.shape[2], w = x.shape[3];
        var s = PerImage(side, b, x.device, ScalarType.Int64);
        var y0 = PerImage(centresY, b, x.device, ScalarType.Int64) - s.div(2, rounding_mode: RoundingMode.floor);
        var x0 = PerImage(centresX, b, x.device, ScalarType.Int64) - s.div(2, rounding_mode: RoundingMode.floor);
        var i = arange(h, device: x.device).view(1, h);
        var j = arange(w, device: x.device).view(1, w);
        var inRows = (i >= y0.view(b, 1)) & (i < (y0 + s).view(b, 1));  // [B, H]
        var inCols = (j >= x0.view(b, 1)) & (j < (x0 + s).view(b, 1));  // [B, W]
        var mask = (inRows.view(b, 1, h, 1) & inCols.view(b, 1, 1, w));
        return x.masked_fill(mask, 0).MoveToOuterDisposeScope();
    }

    /// <summary>Cutout with one side length for the whole batch.</summary>
    public static Tensor Cutout(Tensor x, Tensor centresY, Tensor centresX, int side)
    {
        using var s = full(x.shape[0], side, ScalarType.Int64);
        return Cutout(x, centresY, centresX, s);
    }

    // ---- helpers ----

    static Tensor ToUnit(Tensor x) => (x + 1) / 2;
    static Tensor FromUnit(Tensor u) => (u * 2 - 1).clamp_(-1, 1);
    static Tensor Bytes(Tensor x) => ToUnit(x).mul_(255).round_().clamp_(0, 255);
    static Tensor Blend(Tensor u, Tensor other, Tensor f) => (other + f * (u - other)).clamp_(0, 1);
    static Tensor Factor(Tensor f, Tensor x) => PerImage(f, x.shape[0], x.device, x.dtype).view(-1, 1, 1, 1);

    static Tensor PerImage(Tensor p, long b, Device device, ScalarType dtype)
    {
        if (p.dim() != 1 || p.shape[0] != b)
            throw new ArgumentException($"a per-image parameter must have shape [{b}] (got [{string.Join(", ", p.shape)}])");
        return p.to(dtype, device);
    }

    static void Check(Tensor x)
    {
        if (x.dim() != 4 || !x.is_floating_point())
            throw new ArgumentException($"augmentation expects floating-point images [B, C, H, W] (got {x.dtype} [{string.Join(", ", x.shape)}])");
    }
}
