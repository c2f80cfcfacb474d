<?xml version="1.0" encoding="UTF-8"?>
<!-- message.xsl: an error or refusal page (403, 404, ...). -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:import href="layout.xsl"/>
  <xsl:template match="message" mode="title"><xsl:value-of select="title"/></xsl:template>
  <xsl:template match="message" mode="main">
    <p class="error" role="alert" id="message" data-status="{@status}"><xsl:value-of select="text"/></p>
    <p><a href="/ui/">Retour au tableau de bord</a></p>
  </xsl:template>
</xsl:stylesheet>
