# Writes bench/analytics/redaction.jsonl: labelled contact-center utterances with the personal
# data each holds ({"text", "entities":[{"type","text"}]}), and look-alikes that hold none
# ({"lookalike": true}). Kept as a script so the spoken forms are spelled consistently; run
# `python3 bench/analytics/make-redaction-set.py` after editing.
import json

W = "zero one two three four five six seven eight nine".split()
def say(digits, oh=False, double=False, sep=" "):
    out, i = [], 0
    while i < len(digits):
        d = digits[i]
        if double and i + 1 < len(digits) and digits[i + 1] == d:
            out.append("double " + W[int(d)]); i += 2; continue
        out.append("oh" if (oh and d == "0") else W[int(d)]); i += 1
    return sep.join(out)

cases = []
def case(text, *entities, lookalike=False):
    for _, t in entities: assert t in text, (t, text)
    cases.append({"text": text, "entities": [{"type": ty, "text": t} for ty, t in entities], **({"lookalike": True} if lookalike else {})})

C = "CREDIT_DEBIT_NUMBER"
cards = ["4111111111111111", "5555555555554444", "378282246310005", "6011111111111117", "4012888888881881",
         "5105105105105100", "3566002020360505", "4242424242424242", "2223003122003222", "6011000990139424"]
case("My card number is 4111 1111 1111 1111.", (C, "4111 1111 1111 1111"))
case("sure, it's 5555-5555-5555-4444", (C, "5555-5555-5555-4444"))
case("Amex 378282246310005 please", (C, "378282246310005"))
case("The card is 6011 1111 1111 1117 and it's under my wife's name", (C, "6011 1111 1111 1117"))
case("ok the number on the front is 4012888888881881", (C, "4012888888881881"))
case("Can you charge 5105 1051 0510 5100 for the balance?", (C, "5105 1051 0510 5100"))
case("use my other card, 3566 0020 2036 0505", (C, "3566 0020 2036 0505"))
case("4242 4242 4242 4242 is the visa", (C, "4242 4242 4242 4242"))
case("It's a mastercard, 2223 0031 2200 3222, expiring soon", (C, "2223 0031 2200 3222"))
case("card: 6011-0009-9013-9424", (C, "6011-0009-9013-9424"))
case(f"yeah it's {say('4111111111111111')}", (C, say("4111111111111111")))
case(f"the number is {say('5555555555554444', double=True)}", (C, say("5555555555554444", double=True)))
case(f"{say('6011111111111117', sep=', ')}", (C, say("6011111111111117", sep=", ")))
case(f"okay so {say('5105105105105100', oh=True)} that's the card", (C, say("5105105105105100", oh=True)))
case(f"my debit card is {say('4012888888881881', double=True)}", (C, say("4012888888881881", double=True)))
case(f"let me read it, {say('3782', oh=True)} {say('822463', double=True)} {say('10005', oh=True, double=True)}", (C, f"{say('3782', oh=True)} {say('822463', double=True)} {say('10005', oh=True, double=True)}"))
case(f"it is {say('4242424242424242')} and the name is on the back", (C, say("4242424242424242")))
case(f"number {say('3566002020360505', oh=True)}", (C, say("3566002020360505", oh=True)))
case(f"Card number, {say('6011000990139424', oh=True, double=True)}.", (C, say("6011000990139424", oh=True, double=True)))
case(f"ok {say('2223003122003222', oh=True)} is my new card", (C, say("2223003122003222", oh=True)))

S = "SSN"
case("My social is 123-45-6789", (S, "123-45-6789"))
case("SSN 078-05-1120", (S, "078-05-1120"))
case("social security number 219 09 9999", (S, "219 09 9999"))
case("it's 536-22-8726 for my social", (S, "536-22-8726"))
case("my social security number is 457555462", (S, "457555462"))
case(f"my social is {say('123456789')}", (S, say("123456789")))
case(f"social security, {say('078051120', oh=True)}", (S, say("078051120", oh=True)))
case(f"the ssn is {say('219099999', oh=True, double=True)}", (S, say("219099999", oh=True, double=True)))
case("the last four of my social are 6789", (S, "6789"))
case("last 4 of the social is 1120", (S, "1120"))
case(f"the last four of my social security number is {say('4521')}", (S, say("4521")))
case("Here's my SSN: 321-54-9876.", (S, "321-54-9876"))
case("tax id for me is 987-65-4320", (S, "987-65-4320"))
case(f"uh my social is {say('536228726')} I think", (S, say("536228726")))
case("For verification, social 111-22-3333.", (S, "111-22-3333"))

P = "PHONE"
case("call me at (415) 555-2671", (P, "(415) 555-2671"))
case("my number is 212-555-0187", (P, "212-555-0187"))
case("you can reach me on 6175550123", (P, "6175550123"))
case("best number is 312.555.0199", (P, "312.555.0199"))
case("my cell is +1 646 555 0142", (P, "+1 646 555 0142"))
case("the UK office is +44 20 7946 0958", (P, "+44 20 7946 0958"))
case("text me at 1-800-555-0175", (P, "1-800-555-0175"))
case(f"my phone number is {say('4155552671')}", (P, say("4155552671")))
case(f"call me back on {say('2125550187', oh=True, double=True)}", (P, say("2125550187", oh=True, double=True)))
case(f"it's {say('617')}, {say('555')}, {say('0123', oh=True)}", (P, f"{say('617')}, {say('555')}, {say('0123', oh=True)}"))
case(f"the number's {say('3125550199', double=True)}", (P, say("3125550199", double=True)))
case(f"my wife's cell, {say('6465550142', double=True)}", (P, say("6465550142", double=True)))
case("Please update my phone to 303 555 0111.", (P, "303 555 0111"))
case("home phone 702-555-0136 and work 702-555-0190", (P, "702-555-0136"), (P, "702-555-0190"))
case("reach me at (206)555-0100 after five", (P, "(206)555-0100"))
case(f"yeah {say('5035550123', oh=True)} is the best one", (P, say("5035550123", oh=True)))
case("My new number: 917 555 0163", (P, "917 555 0163"))
case("call 415 555 2671 if the tech is late", (P, "415 555 2671"))
case(f"it's {say('8005550175', oh=True, double=True)}", (P, say("8005550175", oh=True, double=True)))
case("number on file should be 773-555-0129", (P, "773-555-0129"))

E = "EMAIL"
case("my email is jane.doe@example.com", (E, "jane.doe@example.com"))
case("send it to rob_chen88@gmail.com please", (E, "rob_chen88@gmail.com"))
case("It's MARIA.GARCIA@Outlook.com", (E, "MARIA.GARCIA@Outlook.com"))
case("email: j.smith+billing@company.co.uk", (E, "j.smith+billing@company.co.uk"))
case("you have sam@sub.example.org on file", (E, "sam@sub.example.org"))
case("my email is john dot smith at gmail dot com", (E, "john dot smith at gmail dot com"))
case("it's rob chen at yahoo dot com", (E, "chen at yahoo dot com"))
case("send it to mary underscore lee at outlook dot com", (E, "mary underscore lee at outlook dot com"))
case("the address is info at acme dot co dot uk", (E, "info at acme dot co dot uk"))
case("email me at tom2024 at hotmail dot com", (E, "tom2024 at hotmail dot com"))
case("Contact: billing@acme-corp.net", (E, "billing@acme-corp.net"))
case("my work one is a.kumar@university.edu", (E, "a.kumar@university.edu"))
case("it's sarah at icloud dot com", (E, "sarah at icloud dot com"))
case("write to support@example.io and cc me", (E, "support@example.io"))
case("my email's d dash jones at proton dot me", (E, "d dash jones at proton dot me"))

N = "NAME"
case("Hi, my name is John Smith.", (N, "John Smith"))
case("my name is maria garcia and I have a question", (N, "maria garcia"))
case("This is Robert Chen calling about my bill", (N, "Robert Chen"))
case("Hi, I'm Aisha Patel.", (N, "Aisha Patel"))
case("The name on the account is David Okafor", (N, "David Okafor"))
case("you can call me Liz", (N, "Liz"))
case("My name's Tom.", (N, "Tom"))
case("hello, it's Wei Zhang from apartment four", (N, "Wei Zhang"))
case("the name on the card is Priya Raman", (N, "Priya Raman"))
case("first name is Oluwaseun", (N, "Oluwaseun"))
case("last name is Kowalski", (N, "Kowalski"))
case("My name is Anne-Marie O'Neil", (N, "Anne-Marie O'Neil"))
case("hi this is Carlos", (N, "Carlos"))
case("I am Fatima Hassan and I'm calling for my father", (N, "Fatima Hassan"))
case("yes my name is james brown", (N, "james brown"))

A = "ADDRESS"
case("I live at 1234 Main Street, Springfield, IL 62704", (A, "1234 Main Street, Springfield, IL 62704"))
case("ship it to 77 Sunset Blvd", (A, "77 Sunset Blvd"))
case("my address is 500 Oak Avenue, Apt 12", (A, "500 Oak Avenue, Apt 12"))
case("the new address is 42 Elm St.", (A, "42 Elm St."))
case("it's twelve thirty four Maple Drive", (A, "twelve thirty four Maple Drive"))
case("we moved to 9 Harbor View Road", (A, "9 Harbor View Road"))
case("deliver to 1600 Pennsylvania Avenue", (A, "1600 Pennsylvania Avenue"))
case("address on file: 221 Baker Street, London", (A, "221 Baker Street"))
case("it's 350 Fifth Avenue, New York, NY 10118", (A, "350 Fifth Avenue, New York, NY 10118"))
case("send the modem to 18 Willow Lane", (A, "18 Willow Lane"))
case("my house is at 2045 North Lincoln Parkway", (A, "2045 North Lincoln Parkway"))
case("I'm at 3 Cherry Tree Court", (A, "3 Cherry Tree Court"))
case("the billing address is 88 Pine Rd, Suite 400", (A, "88 Pine Rd, Suite 400"))
case("five twenty one Lake Shore Drive", (A, "five twenty one Lake Shore Drive"))
case("please use 610 West Market Street instead", (A, "610 West Market Street"))

D = "DATE_OF_BIRTH"
case("my date of birth is March 3rd, 1985", (D, "March 3rd, 1985"))
case("DOB 04/12/1979", (D, "04/12/1979"))
case("I was born on July 4 1990", (D, "July 4 1990"))
case("born on the fifth of may nineteen eighty two", (D, "the fifth of may nineteen eighty two"))
case("birthday is december twenty-first", (D, "december twenty-first"))
case("date of birth: 12-25-1960", (D, "12-25-1960"))
case("my birth date is January 15, 2001", (D, "January 15, 2001"))
case("I was born 3/7/88", (D, "3/7/88"))
case("date of birth is the second of february two thousand and one", (D, "the second of february two thousand and one"))
case("dob is Sept 9th 1975", (D, "Sept 9th 1975"))

V = "CREDIT_DEBIT_CVV"
case("card 4111 1111 1111 1111, cvv 123", (C, "4111 1111 1111 1111"), (V, "123"))
case("the security code is 456", (V, "456"))
case("CVV: 7890", (V, "7890"))
case(f"and the three digit code on the back is {say('302', oh=True)}", (V, say("302", oh=True)))
case("security code 918 and expiry 11/26", (V, "918"), ("CREDIT_DEBIT_EXPIRY", "11/26"))
case(f"security code is {say('771', double=True)}", (V, say("771", double=True)))
case("cvc 044", (V, "044"))
case("the code on the back is 512", (V, "512"))

X = "CREDIT_DEBIT_EXPIRY"
case("it expires 04/27", (X, "04/27"))
case("expiration date is 09/2028", (X, "09/2028"))
case("expires oh four twenty seven", (X, "oh four twenty seven"))
case("exp 1/29", (X, "1/29"))
case("it's valid thru 12/30", (X, "12/30"))
case("expiry is March 2027", (X, "March 2027"))
case("card 5555 5555 5555 4444 exp 08/26", (C, "5555 5555 5555 4444"), (X, "08/26"))
case("the expiration is twelve twenty six", (X, "twelve twenty six"))

B = "BANK_ACCOUNT_NUMBER"
R = "BANK_ROUTING"
case("routing number 021000021 and checking account number 123456789", (R, "021000021"), (B, "123456789"))
case("my bank account number is 000123456789", (B, "000123456789"))
case("savings account 9876543210", (B, "9876543210"))
case("the routing is 011000015", (R, "011000015"))
case(f"routing number {say('026009593', oh=True)}", (R, say("026009593", oh=True)))
case("for direct deposit, account number 4455667788", (B, "4455667788"))
case("ABA 121000358, account 55501234", (R, "121000358"), (B, "55501234"))
case("checking account number 31415926", (B, "31415926"))
case("bank routing number: 322271627", (R, "322271627"))
case("routing 071000013 account number 900012345", (R, "071000013"), (B, "900012345"))

PP = "PASSPORT_NUMBER"
case("passport number X12345678", (PP, "X12345678"))
case("my passport is 123456789", (PP, "123456789"))
case("passport no. C03005988", (PP, "C03005988"))
case("the passport number is 987654321", (PP, "987654321"))
case("Passport: GB1234567", (PP, "GB1234567"))
case(f"my passport number is {say('412345678')}", (PP, say("412345678")))

# Look-alikes: things that look like personal data but are not.
L = lambda t: case(t, lookalike=True)
L("my order number is 4111 1111 1111 1112")
L("the card ends in 4242")
L("I was charged $1,234.56 on the 3rd")
L("the appointment is at 10:30 on Tuesday")
L("tracking number 1Z999AA10123456784")
L("order 112-4459872-3341 never arrived")
L("ticket number 5551234567")
L("my case number is 00123456")
L("it cost 49.99 plus tax")
L("I've been on hold for 45 minutes")
L("the invoice number is 20261206-0042")
L("confirmation code 8842 1190 7731 6620")
L("we have 2 kids and 3 dogs")
L("call between 9 and 5")
L("the model is SM-G991U and serial R58R12ABCDE")
L("the balance is 1,250 dollars")
L("flight 2207 on December 12")
L("I paid 300 on the 15th and 300 on the 30th")
L("my zip code is 94107")
L("the reference is 4111111111111112")
L("room 1204, extension 4471")
L("that's a 20 percent discount")
L("I'd like to speak to someone about the 5G plan")
L("press 1 for billing, 2 for support")
L("this is ridiculous, I want a refund")

with open("bench/analytics/redaction.jsonl", "w") as f:
    for c in cases: f.write(json.dumps(c) + "\n")
print(len(cases), "cases,", sum(1 for c in cases if c.get("lookalike")), "look-alikes")
