using System.Text.RegularExpressions;

namespace MessageSync.Worker.Hosting;

/// <summary>Masks bearer tokens and JWT-shaped strings inside free text.</summary>
public static partial class SecretMask
{
    public static bool ContainsSecret(string text) => Pattern().IsMatch(text);

    public static string Mask(string text) => Pattern().Replace(text, m => m.Groups["prefix"].Success ? m.Groups["prefix"].Value + "***" : "***");

    [GeneratedRegex(@"(?<prefix>Bearer\s+)[A-Za-z0-9._~+/=-]+|eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
