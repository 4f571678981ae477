using MessageSync.Core.Model;
using MessageSync.Core.Ports;

namespace MessageSync.Adapters.Tests;

public class WriteGuardTests
{
    [Fact]
    public void Internal_note_is_refused_wherever_a_customer_could_see_it()
    {
        var link = Canon.Link();
        var note = Canon.Message(MessageKind.InternalNote);
        Assert.Throws<VisibilityViolationException>(() => WriteGuard.EnsureAllowed(SystemId.Pylon, Canon.Write(link, note, MessageKind.CustomerMessage), customerVisible: true, sendsEmail: false));
        Assert.Throws<VisibilityViolationException>(() => WriteGuard.EnsureAllowed(SystemId.Helpdesk, Canon.Write(link, note), customerVisible: false, sendsEmail: true));
        WriteGuard.EnsureAllowed(SystemId.Pylon, Canon.Write(link, note), customerVisible: false, sendsEmail: false);
    }
}
