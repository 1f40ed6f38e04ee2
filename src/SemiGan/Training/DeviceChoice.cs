using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Training;

public static class DeviceChoice
{
    /// <summary>"auto" picks CUDA when torch reports it, else the CPU; "cuda" without CUDA is an error.</summary>
    public static Device Resolve(string choice) => choice switch
    {
        "cpu" => CPU,
        "cuda" when cuda.is_available() => CUDA,
        "cuda" => throw new ArgumentException("--device cuda: torch reports no CUDA device; build with -p:TorchBackend=cuda on a machine with an NVIDIA GPU, or use --device cpu."),
        "auto" => cuda.is_available() ? CUDA : CPU,
        _ => throw new ArgumentException($"--device: '{choice}' is not one of auto, cpu, cuda."),
    };
}
