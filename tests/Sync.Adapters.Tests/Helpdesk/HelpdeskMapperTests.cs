using MessageSync.Adapters.Helpdesk;
using MessageSync.Core.Model;

namespace MessageSync.Adapters.Tests;

public class HelpdeskMapperTests
{
    [Theory]
    [InlineData("request", MessageKind.CustomerMessage)]
    [InlineData("response", MessageKind.AgentReply)]
    [InlineData("note", MessageKind.InternalNote)]
    [InlineData("forward-ish", MessageKind.InternalNote)]
    public void Helpdesk_type_maps_to_kind(string type, MessageKind expected) => Assert.Equal(expected, HelpdeskMapper.KindOf(type));

    [Theory]
    [InlineData(MessageKind.CustomerMessage, "request")]
    [InlineData(MessageKind.AgentReply, "response")]
    [InlineData(MessageKind.InternalNote, "note")]
    [InlineData(MessageKind.SystemEvent, "note")]
    public void Helpdesk_kind_maps_to_type(MessageKind kind, string expected) => Assert.Equal(expected, HelpdeskMapper.TypeFor(kind));
}
