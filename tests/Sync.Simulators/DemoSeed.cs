namespace MessageSync.Simulators;

/// <summary>
/// The "demo" seed: two linked conversations with fixed ids (README) and every kind of message:
/// Pylon iss_demo_1 / helpdesk tkt_demo_1 / Cord th_demo_1, and iss_demo_2 / tkt_demo_2 / th_demo_2.
/// </summary>
internal static class DemoSeed
{
    public static void Apply(PylonSimulator pylon, HelpdeskSimulator helpdesk, CordSimulator cord)
    {
        for (var n = 1; n <= 2; n++)
        {
            pylon.CreateIssue($"iss_demo_{n}", $"contact_demo_{n}", $"customer{n}@example.com", $"Demo Customer {n}");
            helpdesk.CreateTicket($"tkt_demo_{n}");
            cord.CreateThread($"th_demo_{n}", $"Demo conversation {n}", $"https://app.example.com/demo/{n}", "demo_group");
        }

        pylon.AddMessage("iss_demo_1", SimMessageKind.Customer, "<p>Hello, my export to CSV fails with an error.</p>");
        pylon.AddMessage("iss_demo_1", SimMessageKind.Agent, "<p>Thanks! Could you send the file you tried to export?</p>", "Dana Agent", "dana@pylon.sim");
        pylon.AddMessage("iss_demo_1", SimMessageKind.InternalNote, "<p>Looks like the known encoding bug, see ENG-42.</p>", "Dana Agent", "dana@pylon.sim");

        helpdesk.AddMessage("tkt_demo_1", SimMessageKind.Customer, "<p>Here is the file: <b>export.csv</b></p>", "customer_demo_1",
            attachments: [new HelpdeskAttachment("att_demo_1", "export.csv", 2048)]);
        helpdesk.AddMessage("tkt_demo_1", SimMessageKind.Agent, "<p>Got it, we are looking into it.</p>", "agent_demo");
        helpdesk.AddMessage("tkt_demo_1", SimMessageKind.InternalNote, "<p>Reproduced on staging.</p>", "agent_demo");

        var file = cord.UploadFile("screenshot.png", "image/png", 48_213);
        var first = cord.AddMessageContent("th_demo_1", "agent_demo",
            """[{"type":"p","children":[{"text":"Reproduced, "},{"text":"fix in progress","bold":true},{"text":" — see "},{"type":"link","url":"https://example.com/ENG-42","children":[{"text":"ENG-42"}]}]}]""",
            "cord_demo_msg_1", [file.Id]);
        cord.AddReaction("th_demo_1", first.Id, "👍", "dana");
        cord.AddReaction("th_demo_1", first.Id, "🎉", "agent_demo");
        cord.AddMessage("th_demo_1", "dana", "Thanks, I will tell the customer.", "cord_demo_msg_2");

        pylon.AddMessage("iss_demo_2", SimMessageKind.Customer, "<p>Can I change the billing e-mail?</p>");
        helpdesk.AddMessage("tkt_demo_2", SimMessageKind.Customer, "<p>Can I change the billing e-mail?</p>", "customer_demo_2");
        cord.AddMessage("th_demo_2", "agent_demo", "Billing question, low priority.", "cord_demo_msg_3");
    }
}
