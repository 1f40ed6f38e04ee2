namespace SemiGan.Training;

/// <summary>What an epoch is and where the labeled images come from (see README, "What an epoch is").</summary>
public enum Protocol
{
    /// <summary>One shuffled pass over all training images; each batch's labeled members feed the supervised loss.</summary>
    Masked,
    /// <summary>One pass over the unlabeled pool; every step also draws a labeled batch of the same size.</summary>
    Streams,
}

public static class ProtocolNames
{
    public static string Name(this Protocol p) => p == Protocol.Masked ? "masked" : "streams";

    public static Protocol Parse(string s) => s switch
    {
        "masked" => Protocol.Masked,
        "streams" => Protocol.Streams,
        _ => throw new ArgumentException($"protocol: '{s}' is not one of masked, streams."),
    };
}
