using MessageSync.Adapters.Cord;
using MessageSync.Adapters.Cord.Models;
using MessageSync.Adapters.Http;
using MessageSync.Core.Model;

namespace MessageSync.Adapters.Tests;

public class CordMapperTests
{
    [Theory]
    [InlineData("user_message", false, "u1", MessageKind.InternalNote)]
    [InlineData("user_message", true, "agent_1", MessageKind.AgentReply)]
    [InlineData("user_message", true, "u1", MessageKind.CustomerMessage)]
    [InlineData("action_message", true, "agent_1", MessageKind.SystemEvent)]
    [InlineData("action_message", false, "u1", MessageKind.SystemEvent)]
    public void Cord_kind_depends_on_thread_visibility_and_agents(string type, bool visible, string author, MessageKind expected)
    {
        var link = Canon.Link(cordVisible: visible, agents: "agent_1");
        Assert.Equal(expected, CordMapper.KindOf(new CordMessage { Id = "m", Type = type, AuthorId = author }, link));
    }

    [Fact]
    public void Cord_metadata_id_deleted_timestamp_and_redaction_are_read()
    {
        var id = Guid.NewGuid();
        var json = $$$"""
            {"id":"ms-1","authorID":"u1","threadID":"th","type":"user_message","content":[{"type":"p","children":[{"text":"[redacted]"}]}],
             "createdTimestamp":"2025-01-01T00:00:00Z","deletedTimestamp":"2025-01-02T00:00:00Z","metadata":{"messagesync_id":"{{{id}}}"}}
            """;
        var message = System.Text.Json.JsonSerializer.Deserialize<CordMessage>(json, ApiConnection.Json)!;
        var observed = CordMapper.ToObserved(message, Canon.Link());
        Assert.Equal(id, observed.SyncId);
        Assert.True(observed.IsDeleted);
        Assert.True(observed.IsRedacted);
        Assert.Equal("ms-" + id.ToString("N"), CordMapper.MessageIdFor(id, "ms-"));
    }
}
