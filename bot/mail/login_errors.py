"""Login refusals from IMAP and SMTP servers as one line a Microsoft 365 administrator can act on."""

from __future__ import annotations

from bot.mail.oauth2 import AccessToken

IMAP_ROLE = "IMAP.AccessAsApp"
SMTP_ROLE = "SMTP.SendAsApp"
GUIDE = "see docs/drift.md"


def explain_refusal(protocol: str, user: str, server_text: str, token: AccessToken | None) -> str:
    """Why `protocol` ("IMAP"/"SMTP") refused `user`, from the server's words and (with OAuth2) the token."""
    detail = " ".join(server_text.split())  # also folds the no-break spaces some servers send
    lowered = detail.lower()
    if "basic authentication is disabled" in lowered:
        return (f"{protocol} login as {user} refused: Microsoft 365 accepts no passwords (basic authentication "
                f"is disabled); set BOT_AUTH=oauth2 and register the app ({GUIDE})")
    if "smtpclientauthentication is disabled" in lowered:
        return (f"SMTP AUTH is disabled for {user}: run Set-CASMailbox -Identity {user} "
                f"-SmtpClientAuthenticationDisabled $false ({GUIDE})")
    if "authenticated but not connected" in lowered:
        return (f"{protocol}: the app signed in but may not open {user}: register its service principal in "
                f"Exchange (New-ServicePrincipal) and give it FullAccess (Add-MailboxPermission) ({GUIDE})")
    if token is None:
        return f"{protocol} login as {user} refused: {detail}"
    role = IMAP_ROLE if protocol == "IMAP" else SMTP_ROLE
    claims = token.claims()
    roles = claims.get("roles")
    if isinstance(roles, list) and role not in roles:
        audience = f" (a token for {claims['aud']})" if claims.get("aud") else ""
        return (f"{protocol} login as {user} refused: the app's token{audience} lacks the {role} permission: "
                f"add Office 365 Exchange Online → {role} under API permissions and grant admin consent ({GUIDE})")
    rights = "FullAccess (Add-MailboxPermission)"
    if protocol == "SMTP":
        rights += " and SendAs (Add-RecipientPermission)"
    return (f"{protocol} refused the OAuth2 token for {user} ({detail}): check that the app's service principal "
            f"is registered in Exchange (New-ServicePrincipal) and has {rights} on the mailbox ({GUIDE})")
