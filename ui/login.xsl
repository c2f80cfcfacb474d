<?xml version="1.0" encoding="UTF-8"?>
<!-- login.xsl: the sign-in form (an API token of an archivist, an
     auditor or an administrator), with the reason of a refusal. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:import href="layout.xsl"/>
  <xsl:template match="login" mode="title">Connexion</xsl:template>
  <xsl:template match="login" mode="main">
    <xsl:if test="error">
      <p class="error" role="alert" id="login-error"><xsl:value-of select="error"/></p>
    </xsl:if>
    <form method="post" action="/ui/login" class="card">
      <input type="hidden" name="csrf" value="{csrf}"/>
      <p>Connectez-vous avec votre jeton d'accès (rôle archiviste, auditeur ou administrateur),
        celui que <code>sae-admin token create</code> a affiché.</p>
      <p>
        <label for="token">Jeton d'accès</label>
        <input type="password" id="token" name="token" autocomplete="off" required="required" spellcheck="false"/>
      </p>
      <p><button type="submit">Se connecter</button></p>
    </form>
  </xsl:template>
</xsl:stylesheet>
