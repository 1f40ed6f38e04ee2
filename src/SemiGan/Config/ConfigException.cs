namespace SemiGan.Config;

/// <summary>An impossible or malformed experiment definition; the message names the field and the allowed values.</summary>
public sealed class ConfigException(string message) : Exception(message);
