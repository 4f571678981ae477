using System.Security.Cryptography;
using System.Text;
using MessageSync.Core.Detection;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;

namespace MessageSync.Core.Tests.Detection;

public sealed class MessageHashTests
{
    /// <summary>
    /// Baselines are stored in snapshot rows: the one fingerprint they now share with the body hash must give what earlier
    /// versions stored (the words, one space apart, then each attachment URL without its query, sorted, one a line), or the
    /// first read-back after an upgrade would look like a person's edit.
    /// </summary>
    [Fact]
    public void A_baseline_is_the_same_as_earlier_versions_stored()
    {
        var observed = new ObservedMessage
        {
            ExternalId = "m1",
            Kind = MessageKind.CustomerMessage,
            Author = new Author("Ada"),
            BodyHtml = "<p>Printer  on\nfire</p>",
            BodyText = " Printer  on\nfire ",
            Attachments = [new Attachment("b.png", "https://f.example/b.png?sig=2"), new Attachment("a.png", "https://f.example/a.png#x")],
            CreatedAt = DateTimeOffset.UnixEpoch,
        };
        var stored = "words:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("Printer on fire\nhttps://f.example/a.png\nhttps://f.example/b.png")));

        Assert.Equal(stored, MessageHash.BaselineOf(observed));
        Assert.True(MessageHash.MatchesBaseline(stored, observed with { BodyHtml = "<p><b>Printer</b> on fire</p>", BodyText = "Printer on fire" }));
    }
}
