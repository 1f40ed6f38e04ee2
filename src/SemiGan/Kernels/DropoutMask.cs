using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SemiGan.Kernels;

/// <summary>
/// Fills an inverted-dropout mask: each entry is 1/(1-p) with probability 1-p, else 0, independently.
/// Why not torch: on CPU libtorch draws one double per element through a single serial generator
/// (bernoulli_: ~10 ns/element, 3.5 ms of a 12 ms discriminator forward pass here); this draws four
/// xoshiro256** streams at once in SIMD registers (~0.3 ns/element). Each 64-bit output gives two
/// 32-bit uniforms, so the drop probability is p rounded to a multiple of 2^-32.
/// </summary>
public static class DropoutMask
{
    public static void Fill(Span<float> mask, double p, ulong seed) => Fill(mask, p, seed, default, 1f);

    /// <summary>
    /// With <paramref name="input"/> (same length and memory order as the mask): the factor f such that
    /// x * f = dropout(leaky_relu(x)), i.e. f = 0 where dropped, else 1/(1-p) where x &gt; 0 and
    /// slope/(1-p) elsewhere; f is also that composition's derivative, so autograd through x * f gives
    /// leaky_relu's and dropout's gradients in one multiply.
    /// </summary>
    public static void Fill(Span<float> mask, double p, ulong seed, ReadOnlySpan<float> input, float negativeSlope)
    {
        bool withInput = !input.IsEmpty;
        if (withInput && input.Length != mask.Length) throw new ArgumentException("input and mask lengths differ", nameof(input));
        var lanes = new Lanes(p, seed);
        float scale = (float)(1.0 / (1.0 - p));
        var keepValue = Vector256.Create(scale);
        var negativeValue = Vector256.Create(scale * negativeSlope);

        ref float dst = ref MemoryMarshal.GetReference(mask);
        ref float src = ref MemoryMarshal.GetReference(input);
        int n = mask.Length;
        for (int i = 0; i < n; i += 8)
        {
            var keep = lanes.Keep().AsSingle();
            if (i + 8 <= n)
            {
                var value = withInput
                    ? Vector256.ConditionalSelect(Vector256.GreaterThan(Vector256.LoadUnsafe(ref src, (nuint)i), Vector256<float>.Zero), keepValue, negativeValue)
                    : keepValue;
                (keep & value).StoreUnsafe(ref dst, (nuint)i);
            }
            else
            {
                for (int k = 0; i + k < n; k++)
                {
                    float value = !withInput || Unsafe.Add(ref src, i + k) > 0 ? scale : scale * negativeSlope;
                    Unsafe.Add(ref dst, i + k) = keep.AsUInt32().GetElement(k) != 0 ? value : 0f;
                }
            }
        }
    }

    /// <summary>
    /// <see cref="Fill(Span{float}, double, ulong, ReadOnlySpan{float}, float)"/> for bfloat16 activations (raw bit
    /// patterns): the same draws, so the same elements drop as in float32 at that seed; the factor's two nonzero
    /// values are rounded to bfloat16 (to nearest, ties to even), as the multiply that uses them computes in it.
    /// </summary>
    public static void FillBf16(Span<ushort> mask, double p, ulong seed, ReadOnlySpan<ushort> input, float negativeSlope)
    {
        if (input.Length != mask.Length) throw new ArgumentException("input and mask lengths differ", nameof(input));
        var lanes = new Lanes(p, seed);
        float scale = (float)(1.0 / (1.0 - p));
        uint keepBits = ToBf16(scale), negativeBits = ToBf16(scale * negativeSlope);
        var keepValue = Vector256.Create(keepBits);
        var negativeValue = Vector256.Create(negativeBits);
        var signBit = Vector256.Create(0x8000u);

        ref ushort dst = ref MemoryMarshal.GetReference(mask);
        ref ushort src = ref MemoryMarshal.GetReference(input);
        int n = mask.Length;
        for (int i = 0; i < n; i += 8)
        {
            var keep = lanes.Keep();
            if (i + 8 <= n)
            {
                var x = Vector128.LoadUnsafe(ref src, (nuint)i);
                var bits = Vector256.Create(Vector128.WidenLower(x), Vector128.WidenUpper(x));
                // x > 0: the sign bit clear and not +0 (a NaN counts as positive; it stays NaN either way).
                var positive = Vector256.LessThan(bits, signBit) & ~Vector256.Equals(bits, Vector256<uint>.Zero);
                var value = keep & Vector256.ConditionalSelect(positive, keepValue, negativeValue);
                Vector128.Narrow(value.GetLower(), value.GetUpper()).StoreUnsafe(ref dst, (nuint)i);
            }
            else
            {
                for (int k = 0; i + k < n; k++)
                {
                    ushort b = Unsafe.Add(ref src, i + k);
                    uint value = b is > 0 and < 0x8000 ? keepBits : negativeBits;
                    Unsafe.Add(ref dst, i + k) = keep.GetElement(k) != 0 ? (ushort)value : (ushort)0;
                }
            }
        }
    }

    /// <summary>A float's nearest bfloat16 (ties to even), as its 16-bit pattern; a NaN is the quiet NaN 0x7FC0.</summary>
    public static ushort ToBf16(float value)
    {
        if (float.IsNaN(value)) return 0x7FC0;
        uint bits = BitConverter.SingleToUInt32Bits(value);
        return (ushort)((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
    }

    /// <summary>
    /// Eight keep decisions a call: four independent xoshiro256** streams (one per 64-bit lane, seeded by SplitMix64
    /// as xoshiro's authors advise), each output giving two 32-bit uniforms compared with p·2³².
    /// </summary>
    struct Lanes
    {
        Vector256<ulong> s0, s1, s2, s3;
        readonly Vector256<uint> threshold;

        public Lanes(double p, ulong seed)
        {
            if (p is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1)");
            threshold = Vector256.Create((uint)Math.Min(Math.Round(p * 4294967296.0), uint.MaxValue));
            ulong sm = seed;
            ulong Next()
            {
                ulong z = sm += 0x9E3779B97F4A7C15UL;
                z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
                z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
                return z ^ (z >> 31);
            }
            s0 = Vector256.Create(Next(), Next(), Next(), Next());
            s1 = Vector256.Create(Next(), Next(), Next(), Next());
            s2 = Vector256.Create(Next(), Next(), Next(), Next());
            s3 = Vector256.Create(Next(), Next(), Next(), Next());
        }

        /// <summary>All ones where the element is kept, zero where dropped.</summary>
        public Vector256<uint> Keep()
        {
            // xoshiro256**: result = rotl(s1 * 5, 7) * 9 (multiplies as shift-adds: AVX2 has no 64-bit multiply).
            var r = (s1 << 2) + s1;
            r = (r << 7) | (r >> 57);
            r = (r << 3) + r;
            var t = s1 << 17;
            s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t;
            s3 = (s3 << 45) | (s3 >> 19);
            return Vector256.GreaterThanOrEqual(r.AsUInt32(), threshold);
        }
    }
}
