"""The demo's follow-up lessons for the new till system (point-of-sale) rollout.

Each lesson is (key, title, minutes, Markdown body, quiz in the coordinator's text format:
``+`` a right choice, ``-`` a wrong one, ``=`` feedback; see ``followups.forms.parse_quiz``).
The sixth is the day-60 booster.
"""

from __future__ import annotations

TILL_LESSONS = (
    (
        "till-1-sale",
        "Your first sale on the new till",
        4,
        """\
The new till follows the customer, not the keyboard: **scan, total, pay, receipt**.

1. Sign in with your own staff card. Never use a colleague's: every sale, refund and
   override is recorded against the card that signed in.
2. Scan each item. Items without a barcode are on the **Look-up** tab by name or PLU.
3. Press **Total**: promotions are applied there, not before.
4. Take the payment, then offer a printed or an e-mailed receipt.

If you step away from the till, press **Lock** (or tap your card): the till locks itself
after 2 minutes anyway.
""",
        """\
You need to leave the till for a minute to help a customer. What do you do?
- Leave it: it locks itself after 2 minutes
+ Press Lock or tap your staff card
- Ask a colleague to keep selling on your sign-in
= Lock it yourself: anything sold on your sign-in is recorded against you.

When are promotions applied to the basket?
- As each item is scanned
+ When you press Total
- Only when the customer shows a loyalty card
= The till works them out on Total, so the order of scanning never matters.
""",
    ),
    (
        "till-2-loyalty",
        "Loyalty cards and promotions",
        4,
        """\
Customers can show their **loyalty card, the app's QR code or give their phone number**;
all three find the same account.

- Ask for the loyalty card **before Total**, so member prices show on the receipt.
- Points are added when the payment goes through, never by hand.
- A promotion that did not apply usually means an item was scanned as a loose item from the
  Look-up tab: remove it and scan its barcode.

Never type a customer's phone number into the search for them if other customers can see the
screen: turn the customer display towards them and let them type it.
""",
        """\
A customer asks for their loyalty points after you have taken the payment. What now?
- Add the points by hand on the Loyalty tab
+ Explain that points are added with the payment, and offer to note it for next time
- Refund the sale and put it through again with the card
= Points cannot be added by hand; refunding to re-ring a sale makes the day's cash-up wrong.

Which of these find the customer's loyalty account? (Choose all that apply.)
+ The loyalty card
+ The QR code in the app
+ Their phone number, typed by the customer
- Their name
= Any of the three; a name is not unique enough.

A "3 for 2" did not apply. What is the most likely cause?
+ An item was added from the Look-up tab instead of scanned
- The customer has no loyalty card
- The till needs restarting
= Look-up items carry no barcode, so the promotion cannot see them: scan the barcode instead.
""",
    ),
    (
        "till-3-returns",
        "Returns and refunds",
        5,
        """\
A refund goes **back to the way the customer paid**: the same card, or cash for cash.

1. Scan the receipt's barcode, or find the sale by card under **Find sale**.
2. Tick the items coming back and choose a reason: the reason drives the stock count.
3. For card sales, the customer taps or inserts **the same card**.

**No receipt?** Offer an exchange or a gift card at the lowest recent price. Cash refunds
without a receipt need a shift lead's override, and are limited to 30 a day per store.

Faulty items go to the returns cage with the printed returns slip, not back on the shelf.
""",
        """\
A customer paid by card and wants a cash refund. What do you do?
- Give cash: it is quicker for everyone
+ Refund to the same card
- Refund half to the card and half in cash
= Refunds go back to the way the customer paid; it protects the customer and the cash-up.

A customer has no receipt. What can you offer without an override?
- A cash refund at the price on the shelf today
+ An exchange or a gift card at the lowest recent price
- Nothing: no receipt, no return
= A cash refund without a receipt needs a shift lead's override.

Why does the till ask for a return reason?
+ It decides whether the item goes back into stock or is written off
- It is only for head-office statistics
= "Faulty" writes the item off; "changed mind" puts it back into sellable stock.
""",
    ),
    (
        "till-4-vouchers",
        "Gift cards, vouchers and split payments",
        4,
        """\
One sale can be paid **several ways**: press **Split** after Total and take each part in turn.

- **Gift cards**: scan the card; the till shows the balance and takes up to the amount due.
  A gift card is never exchanged for cash.
- **Paper vouchers** from the old system are still accepted until the end of the year: type
  the voucher number, the till checks it has not been used.
- Take the **gift card or voucher first**, then the card or cash for what remains.
""",
        """\
A customer pays €40 with a €25 gift card and the rest by bank card. In which order?
+ Gift card first, then the bank card for €15
- Bank card first for €40, then refund €25 to the gift card
- The till cannot split a payment
= Press Split after Total and take the gift card first; the till asks for the rest.

A customer asks to cash in the €12 left on a gift card. What do you say?
- Fine: open the drawer and pay it out
+ Gift cards cannot be exchanged for cash, but the balance stays on the card
= The balance never expires; it can be spent in any store or online.
""",
    ),
    (
        "till-5-closing",
        "Closing the till and the end-of-day report",
        6,
        """\
Closing takes ten minutes when it is done in order:

1. **Stop sales**: press Close till. Open baskets must be paid or cancelled first.
2. **Count the drawer** with a colleague watching, by denomination, into the till's count
   screen: do not work out the total yourself.
3. The till prints the **end-of-day report**: takings by payment type and the difference
   between counted and expected cash.
4. A difference over €5 needs a note and a shift lead's sign-off on the report.
5. Bag the cash with the report's copy and put it in the safe; the float stays in the drawer.

The report is sent to head office automatically when the till closes: no more paper Z-reads.
""",
        """\
Who should be there when you count the drawer?
- Nobody: it is faster alone
+ A colleague, watching the count
- The store manager, every time
= A second person protects you if the count is questioned later.

The count is €7 short. What happens next?
- Take €7 from the float to balance it
+ Add a note and ask a shift lead to sign off the report
- Count again until it balances
= A difference over €5 is explained, not hidden: the note helps find the cause.

How do you enter the count?
+ By denomination, in the till's count screen
- As one total worked out on paper
= The till adds up the denominations, which avoids most counting errors.

What stays in the drawer overnight?
+ The float
- Nothing at all
- The day's card slips
= The float stays for tomorrow's first sales; everything else goes in the safe bag.
""",
    ),
    (
        "till-6-booster",
        "Booster: the five till mistakes we still see",
        5,
        """\
Two months in, the stores' reports show the same five slips. Check yourself against them:

1. **Selling on someone else's sign-in**: lock the till whenever you step away.
2. **Loyalty card after Total**: ask first, so member prices apply.
3. **Cash refunds for card payments**: the refund goes back to the card.
4. **Look-up instead of scan**: it hides promotions and stock from the till.
5. **Balancing the drawer from the float**: note the difference instead.

If you are unsure at the till, the **?** button opens the two-minute guide for the screen you
are on.
""",
        """\
Which of these are among the most common till mistakes? (Choose all that apply.)
+ Selling on a colleague's sign-in
+ Taking the loyalty card after Total
- Printing a receipt
= Both cost the store: one breaks the audit trail, the other the customer's member prices.

A customer paid cash last week and brings the item back with the receipt. The refund goes
- To a gift card
+ Back in cash
- To any bank card they have
= Refunds go back the way the customer paid: cash for cash.

Where do you find help for the screen you are on?
+ The ? button on that screen
- Only in the printed manual in the back office
= The ? button opens the short guide for exactly that screen.
""",
    ),
)
