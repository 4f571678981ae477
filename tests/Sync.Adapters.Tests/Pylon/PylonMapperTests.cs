using MessageSync.Adapters.Pylon;
using MessageSync.Adapters.Pylon.Models;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;

namespace MessageSync.Adapters.Tests;

public class PylonMapperTests
{
    [Theory]
    [InlineData(true, null, false, MessageKind.InternalNote)]
    [InlineData(false, "thr_1", false, MessageKind.InternalNote)]
    [InlineData(null, "thr_1", true, MessageKind.InternalNote)]
    [InlineData(false, null, true, MessageKind.CustomerMessage)]
    [InlineData(null, null, false, MessageKind.AgentReply)]
    public void Pylon_kind_follows_privacy_then_author(bool? isPrivate, string? threadId, bool contact, MessageKind expected)
    {
        var message = new PylonMessage
        {
            Id = "m1",
            IsPrivate = isPrivate,
            ThreadId = threadId,
            Author = contact ? new PylonMessageAuthor { Contact = new PylonMiniContact { Id = "c1", Email = "c@x" } } : new PylonMessageAuthor { User = new PylonMiniUser { Id = "u1" } },
            MessageHtml = "<p>x</p>",
            Timestamp = "2025-01-01T00:00:00Z",
        };
        Assert.Equal(expected, PylonMapper.KindOf(message));
        Assert.Equal(expected, PylonMapper.ToObserved(message).Kind);
    }

    [Fact]
    public void Pylon_redacted_message_reads_as_redacted_and_marker_as_sync_id()
    {
        var id = Guid.NewGuid();
        var marked = PylonMapper.ToObserved(new PylonMessage { Id = "m", MessageHtml = Core.Content.SyncMarker.Append("<p>hi</p>", id), Timestamp = "2025-01-01T00:00:00Z" });
        Assert.Equal(id, marked.SyncId);
        Assert.DoesNotContain("data-sync-id", marked.BodyHtml, StringComparison.Ordinal);
        Assert.False(marked.IsRedacted);
        Assert.True(PylonMapper.ToObserved(new PylonMessage { Id = "r", MessageHtml = "", Timestamp = "2025-01-01T00:00:00Z" }).IsRedacted);
    }

    [Fact]
    public void Pylon_message_without_timestamp_is_a_malformed_response()
    {
        Assert.Throws<TransientApiException>(() => PylonMapper.ToObserved(new PylonMessage { Id = "m", MessageHtml = "<p>x</p>" }));
    }
}
