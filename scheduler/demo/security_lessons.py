"""The demo's follow-up lessons for the security-champions workshop.

Each lesson is (key, title, minutes, Markdown body, quiz in the coordinator's text format:
``+`` a right choice, ``-`` a wrong one, ``=`` feedback; see ``followups.forms.parse_quiz``).
The sixth is the day-60 booster.
"""

from __future__ import annotations

SECURITY_LESSONS = (
    (
        "champion-1-role",
        "What a security champion does (and does not)",
        4,
        """\
A champion is the **first friendly contact for security in their team**, not its police.

- **Does**: answer everyday questions, pass on what the security team announces, notice when
  a process invites mistakes, and bring reports to the security team quickly.
- **Does not**: investigate incidents, grant exceptions to policy, or handle other people's
  passwords or devices.

Expect about an hour a month: the monthly champions' call and a few conversations. Your
manager has agreed to that time.
""",
        """\
A colleague asks you to approve installing an unapproved browser extension. You
- Approve it: you are the team's champion
+ Point them to the exception request and explain why extensions are risky
- Install it for them on your own laptop first to test it
= Champions do not grant exceptions; they help colleagues use the right route.

Which are part of a champion's role? (Choose all that apply.)
+ Answering everyday security questions in the team
+ Bringing reports to the security team quickly
- Investigating a suspected incident themselves
= Investigation belongs to the security team; speed of reporting is where champions help most.
""",
    ),
    (
        "champion-2-attacks",
        "How attacks on a retailer really start",
        5,
        """\
Most incidents at retailers start small and human:

- **Phishing and fake invoices** sent to stores and finance, often mentioning a real supplier.
- **Stolen passwords reused** from another site, against the e-mail or the supplier portal.
- **Card skimmers** fitted to payment terminals in a few seconds.
- **Someone in a hi-vis vest** asking to "check the network cabinet".

What stops them is also small: multi-factor sign-in, checking a request through a second
channel, and staff who feel safe to report a mistake early.
""",
        """\
A "supplier" e-mails a store with new bank details for next week's invoice. What stops this
attack?
- Replying to the e-mail to ask if it is genuine
+ Calling the supplier on the number already on file
- Forwarding it to the whole team as a warning
= Check through a second channel you already trust: replying reaches the attacker.

Why do stolen passwords from other websites matter to us?
+ People reuse passwords, so they may open our systems too
- They do not: our systems use different usernames
= Password reuse is why multi-factor sign-in matters so much.

Someone in a contractor's vest asks to see the network cabinet. You
- Let them in: they look official
+ Check the visit with the store manager or the facilities desk first
= Genuine contractors are booked; checking takes two minutes.
""",
    ),
    (
        "champion-3-phishing",
        "Spotting and reporting phishing",
        4,
        """\
Look for **pressure, a surprise and a link or attachment** together: "your account closes
today", "invoice attached", "you have a parcel waiting".

- Hover over a link to see where it really goes; check the sender's address, not the name.
- Use the **Report phishing** button in the mail client. It sends the message to the
  security team and removes it from your inbox.
- **Clicked already?** Report it anyway, straight away. A report within minutes lets the
  security team block the site and reset a password before it is used.

Nobody is blamed for reporting a click: the teams that report most get attacked least.
""",
        """\
Which signs together suggest phishing? (Choose all that apply.)
+ Pressure to act today
+ An unexpected attachment or link
- A message from a colleague you know, about a meeting you are in
= Urgency plus a surprise link is the classic combination.

A colleague clicked a link and typed their password an hour ago. What do you advise?
- Wait and see whether anything happens
- Change the password and say nothing
+ Report it to the security team now, then change the password as they advise
= The security team can check the sign-ins and block the site; minutes count.

How should a suspicious e-mail be reported?
+ With the Report phishing button
- By forwarding it to everyone in the team
= The button sends everything the security team needs and takes it out of your inbox.
""",
    ),
    (
        "champion-4-conversation",
        "Running a ten-minute security conversation",
        5,
        """\
A good security conversation in a team meeting takes **ten minutes and one topic**:

1. **Start from something real**: a phishing e-mail someone received, a news story.
2. **Ask, do not lecture**: "Has anyone had one of these? What made it look real?"
3. **One action**: the single thing to do differently, e.g. "call the supplier back on the
   number we have".
4. **Close with where to get help**: you, and the Report phishing button.

Keep a note of the questions people ask: they tell the security team what to explain better.
""",
        """\
What makes a team security conversation work?
+ One real example, questions to the team, and one action
- A complete run-through of the security policy
- A quiz with a prize for the best score
= Short and concrete sticks; a policy read-through does not.

Someone in the meeting admits they clicked a phishing link last month. You
- Use it as an example of what not to do
+ Thank them for saying so and ask what made the message convincing
= Making it safe to admit mistakes is what gets incidents reported early.
""",
    ),
    (
        "champion-5-incident",
        "When someone reports an incident to you",
        6,
        """\
When a colleague tells you something has gone wrong (a lost laptop, a strange payment
request, a terminal that looks tampered with):

1. **Thank them**, and keep calm: reporting is what we want.
2. **Get the facts**: what, when, which device or account, who else is affected.
3. **Report it to the security team** on the incident line or form **within the hour**.
4. **Do not investigate yourself**: do not log into their account, wipe the device or open
   the suspicious file to "check".
5. For a payment terminal: **stop using it** and put the "out of order" sign on it.

Then tell the colleague what happens next. The security team keeps you informed.
""",
        """\
A colleague's work laptop was stolen from their car this morning. First step?
- Try to wipe it remotely yourself
+ Report it to the security team within the hour with what, when and which device
- Wait until they have filed a police report
= The security team can lock the device and accounts; the police report can follow.

A payment terminal at a till looks like it has an extra layer on the card slot. You
+ Stop using it, mark it out of order and report it
- Keep using it but watch it carefully
- Pull the extra layer off to check
= It may be a skimmer: touching it can destroy evidence.

Which details help the security team most? (Choose all that apply.)
+ What happened and when
+ Which device or account
+ Who else may be affected
- Your guess of who is behind it
= Facts, not theories, let them act quickly.

What should you avoid when handling a report?
+ Logging into the colleague's account to look around
- Thanking the colleague for reporting
= Investigating yourself can destroy evidence and spread the problem.
""",
    ),
    (
        "champion-6-booster",
        "Booster: champion habits that last",
        4,
        """\
Two months after the workshop, the champions who make a difference keep three habits:

- **A monthly ten minutes** in a team meeting, one topic at a time.
- **Reporting fast**, including their own slips: it shows others that it is safe.
- **Passing questions on** to the monthly champions' call, so answers reach every team.

Check your own last month: which of the three did you do? Pick one for this month.
""",
        """\
Which habits keep a champion effective? (Choose all that apply.)
+ A short security topic in a team meeting each month
+ Reporting their own slips quickly
- Checking colleagues' screens for mistakes
= Champions help by example and conversation, not by policing.

A question from your team stumps you. Where does it go?
+ To the monthly champions' call or the security team
- Nowhere: guess the best answer
= Others probably have the same question; the call shares the answer with every team.
""",
    ),
)
